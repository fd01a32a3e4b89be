// teamcity/settings.kts -- Portcullis in a TeamCity project kept as Kotlin DSL.
// Copy to .teamcity/settings.kts (or merge the build types into yours).
//
// Two ways to run the gate; pick one per build:
//  * PortcullisGate uses the "Portcullis scan" meta-runner, installed in this
//    project as .teamcity/pluginData/_Self/metaRunners/PortcullisScan.xml (a
//    copy of teamcity/portcullis-scan.xml) or uploaded with the ID
//    PortcullisScan. The binary reports tests, inspections and statistics as
//    service messages while it runs; the step publishes the SARIF, JUnit and
//    JSON reports as artifacts under portcullis/.
//  * PortcullisGateScript runs the binary from a plain script step with the
//    table on stdout; TeamCity imports the JUnit file (XML report processing)
//    and keeps the SARIF and JSON reports as artifacts.
// Do not import the JUnit file in a build that uses the meta-runner: its tests
// already came as service messages and would be counted twice.

import jetbrains.buildServer.configs.kotlin.*
import jetbrains.buildServer.configs.kotlin.buildFeatures.XmlReport
import jetbrains.buildServer.configs.kotlin.buildFeatures.xmlReport
import jetbrains.buildServer.configs.kotlin.buildSteps.script

version = "2024.03"

project {
    buildType(PortcullisGate)
    buildType(PortcullisGateScript)
}

object PortcullisGate : BuildType({
    name = "Build, gate and push (meta-runner)"

    vcs {
        root(DslContext.settingsRoot)
    }

    params {
        // Where the agents keep the DB that `portcullis db update` (or `db pull`) refreshes.
        param("env.PORTCULLIS_DB", "/var/cache/portcullis/portcullis.db")
    }

    steps {
        script {
            name = "Build the image"
            scriptContent = "docker buildx build --output type=oci,dest=image.oci.tar ."
        }
        step {
            name = "Portcullis scan"
            type = "PortcullisScan"
            param("portcullis.image", "image.oci.tar")
            param("portcullis.fail-on", "high")
            param("portcullis.policy", "builtin:known-exploited")
            param("portcullis.fail-mode", "fail")
        }
        script {
            // Runs only when the gate passed: a failed gate exits 1, and the
            // default execution policy skips the steps after a failed one.
            name = "Push the image"
            scriptContent = "skopeo copy oci-archive:image.oci.tar docker://registry.example.com/app:%build.number%"
        }
    }

    failureConditions {
        nonZeroExitCode = true // exit 1 (gate failed), 2 (usage/input) or 3 (undecided)
        testFailure = true // a failing policy or finding, reported as a test
    }

    requirements {
        doesNotContain("teamcity.agent.jvm.os.name", "Windows")
    }
})

object PortcullisGateScript : BuildType({
    name = "Gate an image (script step)"

    vcs {
        root(DslContext.settingsRoot)
    }

    params {
        param("portcullis.image", "registry.example.com/app:latest")
    }

    artifactRules = """
        portcullis-reports/portcullis.sarif => portcullis
        portcullis-reports/portcullis.json => portcullis
    """.trimIndent()

    steps {
        script {
            name = "Portcullis scan"
            scriptContent = """
                #!/usr/bin/env bash
                # Exit status 1 (gate failed), 2 or 3 fails the step and the build.
                set -euo pipefail
                mkdir -p portcullis-reports
                portcullis scan --fail-on critical \
                  --output sarif=portcullis-reports/portcullis.sarif \
                  --output junit=portcullis-reports/portcullis-junit.xml \
                  --output json=portcullis-reports/portcullis.json \
                  -- "%portcullis.image%"
            """.trimIndent()
        }
    }

    features {
        xmlReport {
            reportType = XmlReport.XmlReportType.JUNIT
            rules = "+:portcullis-reports/portcullis-junit.xml"
        }
    }

    requirements {
        doesNotContain("teamcity.agent.jvm.os.name", "Windows")
    }
})
