package io.portcullis

/**
 * What a `portcullis scan` exit code means for the build. Only exit 1 (a
 * policy failed the target) is subject to `failMode`; exit 2, exit 3 and
 * anything else fail the build, because a gate that could not decide must
 * not let the target through (fail closed).
 */
class ExitCodes implements Serializable {

    /** The failModes (ScanOptions.FAIL_MODES) other than the default, 'fail'. */
    static final String UNSTABLE = 'unstable'
    static final String REPORT = 'report'

    /** The step to call: nothing, `error`, `unstable` or `echo`. */
    static final String ACTION_NONE = 'none'
    static final String ACTION_ERROR = 'error'
    static final String ACTION_UNSTABLE = 'unstable'
    static final String ACTION_ECHO = 'echo'

    static final String SUCCESS = 'SUCCESS'
    static final String FAILURE = 'FAILURE'

    private static final long serialVersionUID = 1L
    /** Shells report a process killed by signal N as exit 128 + N. */
    private static final int SIGNAL_BASE = 128

    /**
     * A short word for the outcome: pass, fail, usage-error, undecided or crashed.
     * Exit 0 is `pass` for a pass and for a warn alike; the JSON report has which.
     */
    static String verdict(int code) {
        switch (code) {
            case 0: return 'pass'
            case 1: return 'fail'
            case 2: return 'usage-error'
            case 3: return 'undecided'
            default: return 'crashed'
        }
    }

    /** What the exit code means, in words for the build log. */
    static String meaning(int code) {
        switch (code) {
            case 0:
                return 'the target passed the gate'
            case 1:
                return 'a policy failed the target'
            case 2:
                return 'usage or input error (bad flag, unreadable or malformed image, SBOM or file)'
            case 3:
                return 'the gate could not decide (vulnerability DB missing or stale, registry unreachable, ' +
                    'partial analysis, or a policy error)'
            case 126:
                return 'the portcullis binary is not executable'
            case 127:
                return 'the portcullis binary was not found (set `binary:` or put it on PATH)'
            default:
                return code > SIGNAL_BASE ? "the scan was killed by signal ${code - SIGNAL_BASE}"
                    : 'not an exit code portcullis uses'
        }
    }

    /**
     * The outcome of one scan: `exitCode`, `verdict`, `result` (the build
     * result the scan asks for: SUCCESS leaves the build alone), `action`
     * (the pipeline step that enforces it) and `message`.
     */
    static Map outcome(int code, String failMode, String target) {
        String head = "Portcullis: ${target}: exit ${code}, ${meaning(code)}"
        Map result = [exitCode: code, verdict: verdict(code)]
        if (code == 0) {
            return result + [result: SUCCESS, action: ACTION_NONE, message: head]
        }
        if (code != 1) {
            return result + [result: FAILURE, action: ACTION_ERROR, message: "${head}; failing closed".toString()]
        }
        switch (failMode) {
            case UNSTABLE:
                return result + [result: 'UNSTABLE', action: ACTION_UNSTABLE,
                                 message: "${head}; marking the build unstable (failMode: unstable)".toString()]
            case REPORT:
                return result + [result: SUCCESS, action: ACTION_ECHO,
                                 message: "${head}; only reported, build result left alone (failMode: report)"
                                     .toString()]
            default:
                return result + [result: FAILURE, action: ACTION_ERROR,
                                 message: "${head}; failing the build (failMode: fail)".toString()]
        }
    }

}
