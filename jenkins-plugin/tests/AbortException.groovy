// AbortException.groovy -- part of the Jenkins library's test harness (Harness.groovy).
/** What Jenkins's `error` step throws: the build fails with just the message. */
class AbortException extends RuntimeException {

    AbortException(String message) {
        super(message)
    }

}
