// Tests.groovy -- the Jenkins library's tests, run by test.sh:
//   groovy -cp jenkins-plugin/tests jenkins-plugin/tests/Tests.groovy
// Environment: JENKINS_LIBRARY (jenkins-plugin/), FAKE_PORTCULLIS (the fake
// binary), WORK (a scratch directory); for the real runs also REAL_BIN,
// REAL_DB and REAL_IMAGE.
// Prints `ok`/`not ok` per test and closes with `N passed, N failed`.
import groovy.json.JsonSlurper

File library = new File(System.getenv('JENKINS_LIBRARY'))
String fake = System.getenv('FAKE_PORTCULLIS')
File work = new File(System.getenv('WORK'))
Map<String, Harness> harnesses = [sh: new Harness(library, '/bin/sh'), bash: new Harness(library, '/bin/bash')]
int passed = 0
int failed = 0
int serial = 0
PipelineRun last = null

Closure test = { String name, Closure body ->
    last = null
    try {
        body()
        println "ok - ${name}"
        passed++
    } catch (Throwable t) {
        println "not ok - ${name}"
        println t.toString().readLines().collect { "    ${it}" }.join('\n')
        if (last != null) {
            println '    transcript:'
            println last.transcript()
        }
        failed++
    }
}

Closure newWorkspace = {
    File dir = new File(work, "ws-${++serial}")
    dir.mkdirs()
    return dir
}

// Runs portcullisScan with the fake binary; returns [run, argv, workspace].
Closure fakeRun = { Map args, Map opts = [:] ->
    File ws = opts.workspace ?: newWorkspace()
    File argvFile = new File(ws, '.fake-argv')
    Map env = [FAKE_EXIT: (opts.exit ?: 0).toString(), FAKE_ARGV: argvFile.path,
               FAKE_WRITE: opts.write == false ? '0' : '1']
    Map full = [binary: fake] + args
    last = harnesses[opts.shell ?: 'sh'].run(full, ws, env)
    List<String> argv = argvFile.exists() ? argvFile.text.split('\u0000', -1).toList().dropRight(1) : null
    return [run: last, argv: argv, ws: ws]
}

List<String> defaultOutputs = ['--output', 'sarif=portcullis.sarif', '--output', 'junit=portcullis-junit.xml',
                               '--output', 'json=portcullis.json']

Closure assertRecorded = { PipelineRun run ->
    Map archived = run.calls('archiveArtifacts')[0].args
    assert archived.artifacts == 'portcullis.sarif,portcullis-junit.xml,portcullis.json'
    assert run.calls('sarif')*.args == [[pattern: 'portcullis.sarif', id: 'portcullis', name: 'Portcullis']]
    assert run.calls('recordIssues').size() == 1
    assert run.calls('recordIssues')[0].args.tools == [[tool: 'sarif', pattern: 'portcullis.sarif', id: 'portcullis',
                                                       name: 'Portcullis']]
    Map junit = run.calls('junit')[0].args
    assert junit.testResults == 'portcullis-junit.xml' && junit.allowEmptyResults == true
    assert run.calls('junit').size() == 1
}

// ---- exit code 0 ----
test('exit 0: reports archived and recorded, build SUCCESS') {
    Map r = fakeRun([image: 'oci-archive:build/app.tar'], [exit: 0])
    PipelineRun run = r.run
    assert r.argv == ['scan'] + defaultOutputs + ['--', 'oci-archive:build/app.tar']
    assert run.failure == null
    assert run.result == 'SUCCESS'
    assert run.returned == [exitCode: 0, verdict: 'pass', result: 'SUCCESS']
    assertRecorded(run)
    assert !run.steps().contains('error') && !run.steps().contains('unstable')
    // The old reports are removed before the scan, then the scan asks for its status.
    assert run.calls('sh')[0].args.script == "rm -f -- 'portcullis.sarif' 'portcullis-junit.xml' 'portcullis.json'"
    assert run.calls('sh')[1].args.returnStatus == true
}

// ---- exit code 1, each failMode ----
test('exit 1, failMode fail (default): recorded first, then error -> FAILURE') {
    PipelineRun run = fakeRun([image: 'app.tar'], [exit: 1]).run
    assert run.result == 'FAILURE'
    assert run.failure instanceof AbortException
    assert run.failure.message.contains('exit 1, a policy failed the target')
    assert run.failure.message.contains('failMode: fail')
    assertRecorded(run)
    List<String> steps = run.steps()
    assert steps.indexOf('recordIssues') < steps.indexOf('error')
    assert steps.indexOf('junit') < steps.indexOf('error')
    assert steps.indexOf('archiveArtifacts') < steps.indexOf('error')
    assert run.returned == null
}

test('exit 1, failMode unstable: unstable -> UNSTABLE, build goes on') {
    PipelineRun run = fakeRun([image: 'app.tar', failMode: 'unstable'], [exit: 1]).run
    assert run.failure == null
    assert run.result == 'UNSTABLE'
    assert run.calls('unstable').size() == 1
    assert run.calls('unstable')[0].args.contains('a policy failed the target')
    assert !run.steps().contains('error')
    assertRecorded(run)
    assert run.returned == [exitCode: 1, verdict: 'fail', result: 'UNSTABLE']
}

test('exit 1, failMode report: echo only, build stays SUCCESS (junit does not mark it unstable)') {
    PipelineRun run = fakeRun([image: 'app.tar', failMode: 'report'], [exit: 1]).run
    assert run.failure == null
    assert run.result == 'SUCCESS'
    assert !run.steps().contains('error') && !run.steps().contains('unstable')
    assert run.calls('echo')*.args.any { it.contains('a policy failed the target') && it.contains('failMode: report') }
    assertRecorded(run)
    assert run.calls('junit')[0].args.skipMarkingBuildUnstable == true
    assert run.log.contains('junit: portcullis-junit.xml: 1 failing')
    assert run.returned == [exitCode: 1, verdict: 'fail', result: 'SUCCESS']
}

// ---- exit codes 2 and 3 fail closed whatever failMode says ----
for (String mode : ['fail', 'unstable', 'report']) {
    String failMode = mode
    test("exit 2, failMode ${failMode}: error naming a usage or input error -> FAILURE") {
        PipelineRun run = fakeRun([image: 'app.tar', failMode: failMode], [exit: 2]).run
        assert run.result == 'FAILURE'
        assert run.failure.message.contains('exit 2, usage or input error')
        assert run.failure.message.contains('failing closed')
        assert !run.steps().contains('unstable')
        assertRecorded(run)
    }
    test("exit 3, failMode ${failMode}: error naming an undecided gate -> FAILURE") {
        PipelineRun run = fakeRun([image: 'app.tar', failMode: failMode], [exit: 3]).run
        assert run.result == 'FAILURE'
        assert run.failure.message.contains('exit 3, the gate could not decide')
        assert run.failure.message.contains('DB missing or stale')
        assert !run.steps().contains('unstable')
    }
}

test('exit 3 with no reports written: recorders skipped with an echo, stale reports not recorded') {
    File ws = newWorkspace()
    new File(ws, 'portcullis.sarif').text = '{"version": "2.1.0", "runs": []}'   // left by an earlier build
    new File(ws, 'portcullis-junit.xml').text = '<testsuites/>'
    PipelineRun run = fakeRun([image: 'app.tar'], [exit: 3, write: false, workspace: ws]).run
    assert run.result == 'FAILURE'
    assert !new File(ws, 'portcullis.sarif').exists()
    assert !run.steps().contains('archiveArtifacts')
    assert !run.steps().contains('recordIssues') && !run.steps().contains('junit')
    List<String> echoes = run.calls('echo')*.args
    assert echoes.contains('Portcullis: portcullis.sarif was not written; skipping recordIssues')
    assert echoes.contains('Portcullis: portcullis-junit.xml was not written; skipping junit')
    assert echoes.any { it.startsWith('Portcullis: no report was written') }
}

test('binary not found (exit 127) -> FAILURE naming the cause') {
    File ws = newWorkspace()
    last = harnesses.sh.run([image: 'app.tar', binary: '/nonexistent/portcullis'], ws)
    assert last.result == 'FAILURE'
    assert last.failure.message.contains('exit 127, the portcullis binary was not found')
}

// ---- quoting: user-controlled names reach the binary literally ----
String nasty = 'evil "image" \'quoted\' $(touch pwned1) `touch pwned2` ; touch pwned3 && echo $HOME * \\ \n next line'
for (String shellName : ['sh', 'bash']) {
    String name = shellName
    test("image with spaces, quotes, \$(...), backticks, ; and a newline is passed literally (${name})") {
        Map r = fakeRun([image: nasty], [exit: 0, shell: name])
        assert r.argv[-2..-1] == ['--', nasty]
        assert !new File(r.ws, 'pwned1').exists() && !new File(r.ws, 'pwned2').exists()
        assert !new File(r.ws, 'pwned3').exists()
        assert r.run.result == 'SUCCESS'
    }
}

test("portcullisScan('IMAGE') runs `portcullis` from PATH with every default") {
    File ws = newWorkspace()
    File bin = new File(ws, '.bin')
    bin.mkdirs()
    java.nio.file.Files.createSymbolicLink(new File(bin, 'portcullis').toPath(), new File(fake).toPath())
    File argvFile = new File(ws, '.fake-argv')
    last = harnesses.sh.run('app.tar', ws, [PATH: "${bin.path}:${System.getenv('PATH')}", FAKE_ARGV: argvFile.path,
                                            FAKE_EXIT: '0'])
    assert argvFile.text.split('\u0000').toList() == ['scan'] + defaultOutputs + ['--', 'app.tar']
    assert last.calls('sh')[1].args.script.startsWith("'portcullis' 'scan' ")
    assert last.result == 'SUCCESS'
    assertRecorded(last)
}

test('an image named like a flag stays the target (after --)') {
    Map r = fakeRun([image: '--fail-on=none'], [exit: 0])
    assert r.argv[-2..-1] == ['--', '--fail-on=none']
}

test('policy as a list, and an empty jsonFile switches that report off') {
    Map r2 = fakeRun([image: 'app.tar', policy: ['builtin:known-exploited', 'p/my policy.wasm'], jsonFile: ''],
                     [exit: 0])
    assert r2.argv == ['scan', '--output', 'sarif=portcullis.sarif', '--output', 'junit=portcullis-junit.xml',
                       '--policy', 'builtin:known-exploited', '--policy', 'p/my policy.wasm', '--', 'app.tar']
    assert r2.run.calls('archiveArtifacts')[0].args.artifacts == 'portcullis.sarif,portcullis-junit.xml'
}

test('report names with spaces are archived and recorded') {
    File ws = newWorkspace()
    new File(ws, 'out dir').mkdirs()
    Map r = fakeRun([image: 'app.tar', sarifFile: 'out dir/scan.sarif', junitFile: 'j.xml', jsonFile: 'r.json',
                     failOn: 'high', config: 'ci/port cullis.toml', policy: 'builtin:known-exploited',
                     extraArgs: ['--offline', '--set', 'max-high=0']], [exit: 0, workspace: ws])
    assert r.argv == ['scan', '--output', 'sarif=out dir/scan.sarif', '--output', 'junit=j.xml', '--output', 'json=r.json',
                      '--fail-on', 'high', '--config', 'ci/port cullis.toml', '--policy', 'builtin:known-exploited',
                      '--offline', '--set', 'max-high=0', '--', 'app.tar']
    assert r.run.calls('recordIssues')[0].args.tools[0].pattern == 'out dir/scan.sarif'
    assert r.run.calls('archiveArtifacts')[0].args.artifacts == 'out dir/scan.sarif,j.xml,r.json'
    assert r.run.result == 'SUCCESS'
}

test("config 'library:default' writes the library's portcullis.toml and passes --config") {
    Map r = fakeRun([image: 'app.tar', config: 'library:default'], [exit: 0])
    assert r.run.calls('libraryResource')*.args == ['io/portcullis/portcullis.toml']
    File written = new File(r.ws, '.portcullis/portcullis.toml')
    assert written.text == new File(library, 'resources/io/portcullis/portcullis.toml').text
    assert r.argv[r.argv.indexOf('--config') + 1] == '.portcullis/portcullis.toml'
}

// ---- argument checks fail closed before anything runs ----
[
    [[:], '`image` is required'],
    [[image: ''], '`image` is required'],
    [[image: 'a', failMode: 'warn'], '`failMode` must be one of fail, unstable, report'],
    [[image: 'a', failmode: 'report'], 'unknown argument `failmode`'],
    [[image: 'a', policy: [1]], '`policy` must be a string or a list of strings'],
    [[image: 'a', extraArgs: '--offline'], '`extraArgs` must be a list of strings'],
].each { List testCase ->
    test("bad arguments ${testCase[0]} -> error before any sh") {
        last = harnesses.sh.run(testCase[0], newWorkspace())
        assert last.result == 'FAILURE'
        assert last.failure.message.startsWith('portcullisScan: ')
        assert last.failure.message.contains(testCase[1])
        assert !last.steps().contains('sh')
    }
}

// ---- the real binary ----
String realBin = System.getenv('REAL_BIN')
if (realBin) {
    String image = System.getenv('REAL_IMAGE')
    Map realEnv = [PORTCULLIS_DB: System.getenv('REAL_DB'), PORTCULLIS_CACHE_DIR: new File(work, 'cache').path]
    Closure realRun = { Map args, Map env = realEnv ->
        Map full = [image: image, binary: realBin, extraArgs: ['--offline']] + args
        File ws = newWorkspace()
        last = harnesses.sh.run(full, ws, env)
        return [run: last, ws: ws]
    }
    Closure assertRealReports = { Map r, String verdict ->
        Map report = new JsonSlurper().parse(new File(r.ws, 'portcullis.json'))
        assert report.verdict == verdict
        String archived = r.run.calls('archiveArtifacts')[0].args.artifacts
        assert archived == 'portcullis.sarif,portcullis-junit.xml,portcullis.json'
        assert r.run.calls('recordIssues')[0].args.tools[0].pattern == 'portcullis.sarif'
        Map sarifReport = new JsonSlurper().parse(new File(r.ws, 'portcullis.sarif'))
        assert sarifReport.version == '2.1.0'
        assert r.run.calls('junit')[0].args.testResults == 'portcullis-junit.xml'
        def junit = new XmlSlurper().parse(new File(r.ws, 'portcullis-junit.xml'))
        int junitFailures = junit.'**'.findAll { it.name() == 'failure' }.size()
        if (verdict == 'fail') {
            // The critical smallvec finding reaches Warnings NG and the JUnit plugin.
            assert sarifReport.runs[0].results.any { it.ruleId == 'CVE-2021-25900' && it.message.text.contains('smallvec') }
            assert junitFailures > 0
        } else {
            assert junitFailures == 0
        }
    }
    println "# real binary ${realBin}"

    test('real: default gate fails debian-app (critical smallvec finding) -> FAILURE') {
        Map r = realRun([:])
        assert r.run.result == 'FAILURE'
        assert r.run.failure.message.contains('exit 1, a policy failed the target')
        assert r.run.log.any { it.contains('smallvec') }
        assertRealReports(r, 'fail')
    }
    test("real: failOn 'none' -> SUCCESS (warn: debian-app has no HEALTHCHECK)") {
        Map r = realRun([failOn: 'none'])
        assert r.run.failure == null
        assert r.run.result == 'SUCCESS'
        // Exit 0 is `pass` to the library; the report says it was a warn.
        assert r.run.returned == [exitCode: 0, verdict: 'pass', result: 'SUCCESS']
        assertRealReports(r, 'warn')
    }
    test("real: config 'library:default' adds known-exploited: fails even with failOn 'none' -> UNSTABLE") {
        // go-symbols=ignore: debian-app's KEV finding (CVE-2023-39325, x/net/http2)
        // is not linked into its Go binary, so only then does known-exploited count it.
        Map r = realRun([config: 'library:default', failOn: 'none', failMode: 'unstable',
                         extraArgs: ['--offline', '--set', 'go-symbols=ignore']])
        assert r.run.result == 'UNSTABLE'
        assert r.run.returned == [exitCode: 1, verdict: 'fail', result: 'UNSTABLE']
        Map report = new JsonSlurper().parse(new File(r.ws, 'portcullis.json'))
        assert report.policies.find { it.module == 'builtin:known-exploited' }.decision == 'fail'
    }
    test('real: missing DB exits 3 -> FAILURE even with failMode report') {
        Map r = realRun([failMode: 'report'], realEnv + [PORTCULLIS_DB: new File(work, 'no/such.db').path])
        assert r.run.result == 'FAILURE'
        assert r.run.failure.message.contains('exit 3, the gate could not decide')
    }
    test('real: unreadable image exits 2 -> FAILURE') {
        Map r = realRun([image: new File(work, 'no such image.tar').path, failMode: 'unstable'])
        assert r.run.result == 'FAILURE'
        assert r.run.failure.message.contains('exit 2, usage or input error')
    }
}

println "jenkins: ${passed} passed, ${failed} failed"
System.exit(failed == 0 && passed > 0 ? 0 : 1)
