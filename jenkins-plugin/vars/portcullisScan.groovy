// portcullisScan(image: ..., ...): gate a build on `portcullis scan`.
// Arguments, defaults and the exit-code mapping: vars/portcullisScan.txt.
import io.portcullis.ExitCodes
import io.portcullis.ScanOptions
import io.portcullis.Shell

/**
 * Runs `portcullis scan` on `args.image`, archives and records its SARIF,
 * JUnit and JSON reports, then sets the build result from the exit code.
 * Returns [exitCode, verdict, result] when the build goes on; exit 2, exit 3
 * and (with failMode 'fail') exit 1 end it through `error`.
 */
Map call(Map args = [:]) {
    List<String> problems = ScanOptions.problems(args)
    if (problems) {
        error("portcullisScan: ${problems.join('; ')}")
    }
    Map opts = ScanOptions.withDefaults(args)

    String configPath = opts.config
    if (configPath == ScanOptions.LIBRARY_CONFIG) {
        configPath = ScanOptions.LIBRARY_CONFIG_PATH
        writeFile(file: configPath, text: libraryResource(ScanOptions.LIBRARY_CONFIG_RESOURCE))
    }

    // Reports left by an earlier build must not be recorded as this one's.
    List<String> reports = ScanOptions.reportFiles(opts)
    if (reports) {
        sh(script: "rm -f -- ${Shell.join(reports)}", label: 'Portcullis: remove old reports')
    }

    int code = sh(script: Shell.join(ScanOptions.command(opts, configPath)), returnStatus: true,
                  label: 'Portcullis: scan')

    recordReports(opts, reports)

    Map outcome = ExitCodes.outcome(code, opts.failMode, opts.image)
    switch (outcome.action) {
        case ExitCodes.ACTION_ERROR:
            error(outcome.message)
            break
        case ExitCodes.ACTION_UNSTABLE:
            unstable(outcome.message)
            break
        case ExitCodes.ACTION_ECHO:
            echo(outcome.message)
            break
        default:
            break
    }
    return [exitCode: outcome.exitCode, verdict: outcome.verdict, result: outcome.result]
}

/** `portcullisScan('oci-archive:app.tar')`: the image alone, everything else at its default. */
Map call(String image) {
    return call(image: image)
}

/** Archives the reports that exist and feeds SARIF to Warnings NG and JUnit to the JUnit plugin. */
void recordReports(Map opts, List<String> reports) {
    List<String> written = []
    for (String report : reports) {
        if (fileExists(report)) {
            written.add(report)
        }
    }
    if (written) {
        archiveArtifacts(artifacts: written.join(','), allowEmptyArchive: true)
    } else if (reports) {
        echo("Portcullis: no report was written (${reports.join(', ')}); nothing to archive")
    }

    if (opts.sarifFile) {
        if (written.contains(opts.sarifFile)) {
            // enabledForFailure: record the findings even when an earlier stage already failed the build.
            recordIssues(enabledForFailure: true,
                         tools: [sarif(pattern: opts.sarifFile, id: 'portcullis', name: 'Portcullis')])
        } else {
            echo("Portcullis: ${opts.sarifFile} was not written; skipping recordIssues")
        }
    }
    if (opts.junitFile) {
        if (written.contains(opts.junitFile)) {
            // The exit code alone decides the build result (failMode), so the
            // JUnit plugin must not mark the build unstable on its own.
            junit(testResults: opts.junitFile, allowEmptyResults: true, skipMarkingBuildUnstable: true)
        } else {
            echo("Portcullis: ${opts.junitFile} was not written; skipping junit")
        }
    }
}
