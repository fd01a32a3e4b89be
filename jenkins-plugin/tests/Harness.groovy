// Harness.groovy -- runs the library's vars/portcullisScan.groovy outside
// Jenkins. The pipeline steps it calls are closures in the script's binding
// that log each call and act like Jenkins's steps as far as the library can
// tell: `sh` really runs its script (`SHELL -xe FILE` in the workspace, as the
// sh step does), `error` throws like hudson.AbortException, `unstable` and an
// uncaught exception set the build result, `junit` marks the build unstable on
// failing tests unless told not to, `archiveArtifacts`/`junit` fail on missing
// files unless allowed to be empty.
import groovy.json.JsonSlurper

/** `currentBuild`: result can only get worse, as in Jenkins. */
class FakeBuild {

    PipelineRun run

    String getResult() {
        return run.result == 'SUCCESS' ? null : run.result
    }

    void setResult(String result) {
        run.worsen(result)
    }

    String getCurrentResult() {
        return run.result
    }

}

/** Loads the library once; `run` executes portcullisScan(args) in a workspace. */
class Harness {

    File library
    String shell
    Class varClass

    Harness(File library, String shell = '/bin/sh') {
        this.library = library
        this.shell = shell
        GroovyClassLoader loader = new GroovyClassLoader(Harness.classLoader)
        loader.addClasspath(new File(library, 'src').path)
        varClass = loader.parseClass(new File(library, 'vars/portcullisScan.groovy'))
    }

    /** Runs portcullisScan(args): a Map of named arguments, or the image alone. */
    PipelineRun run(Object args, File workspace, Map env = [:]) {
        PipelineRun run = new PipelineRun()
        Binding binding = new Binding()
        // Jenkins hands steps Strings, never GStrings: record them so.
        Closure record = { String step, Object stepArgs ->
            run.calls.add([step: step, args: stepArgs instanceof CharSequence ? stepArgs.toString() : stepArgs])
        }
        Closure file = { String path -> new File(workspace, path) }

        binding.setVariable('env', new LinkedHashMap(env))
        binding.setVariable('currentBuild', new FakeBuild(run: run))
        binding.setVariable('sh', { Map a ->
            record('sh', a)
            int status = runShell(a.script.toString(), workspace, env, run)
            if (a.returnStatus) {
                return status
            }
            if (status != 0) {
                throw new AbortException("script returned exit code ${status}")
            }
            return null
        })
        binding.setVariable('echo', { Object message ->
            record('echo', message)
            run.log.add(message.toString())
        })
        binding.setVariable('error', { Object message ->
            record('error', message)
            throw new AbortException(message.toString())
        })
        binding.setVariable('unstable', { Object a ->
            String message = a instanceof Map ? a.message : a
            record('unstable', message)
            run.log.add("WARNING: ${message}".toString())
            run.worsen('UNSTABLE')
        })
        binding.setVariable('fileExists', { Object a ->
            String path = a instanceof Map ? a.file : a
            record('fileExists', path)
            return file(path).exists()
        })
        binding.setVariable('writeFile', { Map a ->
            record('writeFile', a)
            File target = file(a.file.toString())
            target.parentFile.mkdirs()
            target.text = a.text
        })
        binding.setVariable('libraryResource', { Object a ->
            String path = a instanceof Map ? a.resource : a
            record('libraryResource', path)
            File resource = new File(library, "resources/${path}")
            if (!resource.isFile()) {
                throw new AbortException("No such library resource ${path} could be found.")
            }
            return resource.text
        })
        binding.setVariable('archiveArtifacts', { Map a ->
            record('archiveArtifacts', a)
            List<String> missing = a.artifacts.toString().split(',').findAll { !file(it.trim()).exists() }
            if (missing && !a.allowEmptyArchive) {
                throw new AbortException("No artifacts found that match the file pattern \"${missing.join(',')}\"")
            }
        })
        binding.setVariable('sarif', { Map a ->
            record('sarif', a)
            return [tool: 'sarif'] + a
        })
        binding.setVariable('recordIssues', { Map a ->
            record('recordIssues', a)
            for (Map tool : a.tools) {
                File report = file(tool.pattern.toString())
                if (report.exists()) {
                    // Warnings NG would parse it: it must be SARIF 2.1.0 JSON.
                    Map sarif = new JsonSlurper().parse(report)
                    assert sarif.version == '2.1.0'
                    run.log.add("recordIssues: ${tool.pattern}: ${sarif.runs.sum { it.results.size() }} issues".toString())
                }
            }
        })
        binding.setVariable('junit', { Object a ->
            Map opts = a instanceof Map ? a : [testResults: a]
            record('junit', opts)
            File report = file(opts.testResults.toString())
            if (!report.exists()) {
                if (!opts.allowEmptyResults) {
                    throw new AbortException('No test report files were found. Configuration error?')
                }
                return null
            }
            def xml = new XmlSlurper().parse(report)
            int failing = xml.'**'.findAll { it.name() in ['failure', 'error'] }.size()
            run.log.add("junit: ${opts.testResults}: ${failing} failing".toString())
            if (failing > 0 && !opts.skipMarkingBuildUnstable) {
                run.worsen('UNSTABLE')
            }
            return [failCount: failing]
        })

        Script script = (Script) varClass.newInstance()
        script.binding = binding
        try {
            run.returned = script.invokeMethod('call', [args] as Object[])
        } catch (AbortException e) {
            run.failure = e
            run.log.add("ERROR: ${e.message}".toString())
            run.worsen('FAILURE')
        }
        return run
    }

    private int runShell(String script, File workspace, Map env, PipelineRun run) {
        File scriptFile = File.createTempFile('jenkins-sh', '.sh')
        try {
            scriptFile.text = script + '\n'
            ProcessBuilder builder = new ProcessBuilder([shell, '-xe', scriptFile.path])
            builder.directory(workspace)
            builder.redirectErrorStream(true)
            env.each { k, v -> builder.environment().put(k.toString(), v.toString()) }
            Process process = builder.start()
            process.outputStream.close()
            process.inputStream.eachLine { run.log.add(it) }
            return process.waitFor()
        } finally {
            scriptFile.delete()
        }
    }

}
