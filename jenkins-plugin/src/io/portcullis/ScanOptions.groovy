package io.portcullis

/**
 * The arguments of `portcullisScan(...)`: checked, completed with defaults,
 * and turned into the `portcullis scan` command line. Nothing here calls a
 * pipeline step, so it runs the same inside and outside Jenkins.
 */
class ScanOptions implements Serializable {

    /** `config:` value that means "the library's own portcullis.toml". */
    static final String LIBRARY_CONFIG = 'library:default'
    /** Where that config is written in the workspace. */
    static final String LIBRARY_CONFIG_PATH = '.portcullis/portcullis.toml'
    /** The library resource it is read from. */
    static final String LIBRARY_CONFIG_RESOURCE = 'io/portcullis/portcullis.toml'

    /** What a policy failure (exit 1) does; ExitCodes.outcome maps each to a build result. */
    static final List<String> FAIL_MODES = ['fail', 'unstable', 'report'].asImmutable()

    static final Map DEFAULTS = [
        failMode: FAIL_MODES[0],
        binary: 'portcullis',
        sarifFile: 'portcullis.sarif',
        junitFile: 'portcullis-junit.xml',
        jsonFile: 'portcullis.json',
    ].asImmutable()

    /** Arguments that name a report file; an empty name switches that report off. */
    static final List<String> REPORT_KEYS = ['sarifFile', 'junitFile', 'jsonFile'].asImmutable()
    /** Other arguments that take one non-empty string. */
    static final List<String> TEXT_KEYS = ['failOn', 'config', 'binary'].asImmutable()
    static final List<String> KNOWN = (['image', 'policy', 'failMode', 'extraArgs'] + TEXT_KEYS + REPORT_KEYS)
        .asImmutable()

    private static final long serialVersionUID = 1L
    private static final String SEPARATOR = ', '

    /** What is wrong with the arguments, one sentence each; empty when they are fine. */
    static List<String> problems(Map args) {
        List<String> found = []
        if (args == null) {
            found.add('arguments are required, e.g. portcullisScan(image: \'oci-archive:image.tar\')')
            return found
        }
        for (Object key : args.keySet()) {
            if (!KNOWN.contains(key.toString())) {
                found.add("unknown argument `${key}` (known: ${KNOWN.join(SEPARATOR)})".toString())
            }
        }
        if (!isText(args.image) || args.image.toString().trim().empty) {
            found.add('`image` is required: an image archive or directory, a registry reference, a rootfs or dir:PATH')
        }
        if (args.failMode != null && !FAIL_MODES.contains(args.failMode.toString())) {
            found.add("`failMode` must be one of ${FAIL_MODES.join(SEPARATOR)}, not `${args.failMode}`".toString())
        }
        Object policy = args.policy
        if (policy != null && !isText(policy) && !isTextList(policy)) {
            found.add('`policy` must be a string or a list of strings (a .wasm file or builtin:NAME)')
        }
        if (args.extraArgs != null && !isTextList(args.extraArgs)) {
            found.add('`extraArgs` must be a list of strings, one argument each')
        }
        for (String key : TEXT_KEYS) {
            if (args[key] != null && (!isText(args[key]) || args[key].toString().empty)) {
                found.add("`${key}` must be a non-empty string".toString())
            }
        }
        for (String key : REPORT_KEYS) {
            if (args[key] != null && !isText(args[key])) {
                found.add("`${key}` must be a string (empty to not write that report)".toString())
            }
        }
        return found
    }

    /** The arguments with defaults filled in; policies and extra arguments as lists of strings. */
    static Map withDefaults(Map args) {
        Map opts = [:]
        opts.putAll(DEFAULTS)
        for (Object key : args.keySet()) {
            if (args[key] != null) {
                opts[key.toString()] = args[key]
            }
        }
        opts.image = args.image.toString()
        opts.failMode = opts.failMode.toString()
        opts.policy = textList(args.policy)
        opts.extraArgs = textList(args.extraArgs)
        for (String key : TEXT_KEYS + REPORT_KEYS) {
            if (opts[key] != null) {
                opts[key] = opts[key].toString()
            }
        }
        return opts
    }

    /** The report files this scan writes (those not switched off with an empty name). */
    static List<String> reportFiles(Map opts) {
        List<String> files = []
        for (String key : REPORT_KEYS) {
            if (opts[key]) {
                files.add(opts[key].toString())
            }
        }
        return files
    }

    /**
     * The command as a list of arguments (quote them with Shell.join). The
     * target comes last, after `--`, so a name starting with `-` is never
     * read as a flag.
     */
    static List<String> command(Map opts, String configPath) {
        List<String> argv = [opts.binary.toString(), 'scan']
        Map outputs = [sarif: opts.sarifFile, junit: opts.junitFile, json: opts.jsonFile]
        for (Object format : outputs.keySet()) {
            if (outputs[format]) {
                argv.add('--output')
                argv.add("${format}=${outputs[format]}".toString())
            }
        }
        if (opts.failOn) {
            argv.add('--fail-on')
            argv.add(opts.failOn.toString())
        }
        if (configPath) {
            argv.add('--config')
            argv.add(configPath)
        }
        for (Object policy : opts.policy) {
            argv.add('--policy')
            argv.add(policy.toString())
        }
        for (Object extra : opts.extraArgs) {
            argv.add(extra.toString())
        }
        argv.add('--')
        argv.add(opts.image.toString())
        return argv
    }

    private static boolean isText(Object value) {
        return value instanceof CharSequence
    }

    private static boolean isTextList(Object value) {
        if (!(value instanceof List)) {
            return false
        }
        for (Object item : (List) value) {
            if (!isText(item)) {
                return false
            }
        }
        return true
    }

    private static List<String> textList(Object value) {
        List<String> items = []
        if (value instanceof List) {
            for (Object item : (List) value) {
                items.add(item.toString())
            }
        } else if (value != null) {
            items.add(value.toString())
        }
        return items
    }

}
