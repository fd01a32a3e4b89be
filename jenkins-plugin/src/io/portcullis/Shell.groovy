package io.portcullis

/**
 * Quoting for the POSIX shell that Jenkins's `sh` step runs (`sh -xe`, dash
 * on Debian agents). Every argument is single-quoted, so image names and
 * paths that come from users reach the binary literally: no `$(...)`,
 * backticks, globs, variables or word splitting.
 */
class Shell implements Serializable {

    private static final long serialVersionUID = 1L
    private static final String SINGLE_QUOTE = "'"
    /** Ends the quoted word, adds a double-quoted `'`, and starts a new one. */
    private static final String ESCAPED_QUOTE = "'\"'\"'"

    /** One argument as a single-quoted word; a `'` inside becomes `'"'"'`. */
    static String quote(Object arg) {
        if (arg == null) {
            throw new IllegalArgumentException('cannot quote a null shell argument')
        }
        String text = arg
        if (text.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException('a shell argument cannot contain a NUL character')
        }
        return SINGLE_QUOTE + text.replace(SINGLE_QUOTE, ESCAPED_QUOTE) + SINGLE_QUOTE
    }

    /** A command line: each argument quoted, joined by spaces. */
    static String join(List args) {
        List<String> words = []
        for (Object arg : args) {
            words.add(quote(arg))
        }
        return words.join(' ')
    }

}
