// PipelineRun.groovy -- part of the Jenkins library's test harness (Harness.groovy).
/** One simulated build: the steps called, in order, and how it ended. */
class PipelineRun {

    static final List<String> ORDER = ['SUCCESS', 'UNSTABLE', 'FAILURE']

    List<Map> calls = []
    List<String> log = []
    String result = 'SUCCESS'
    Throwable failure
    Object returned

    void worsen(String to) {
        if (ORDER.indexOf(to) > ORDER.indexOf(result)) {
            result = to
        }
    }

    List<Map> calls(String step) {
        return calls.findAll { it.step == step }
    }

    List<String> steps() {
        return calls*.step
    }

    /** The scan's `sh` call (the one that asks for the status). */
    Map scanCall() {
        List<Map> scans = calls('sh').findAll { it.args.returnStatus }
        assert scans.size() == 1
        return scans[0]
    }

    String transcript() {
        return (calls.collect { "  [${it.step}] ${it.args}" } + log.collect { "  | ${it}" }).join('\n')
    }

}
