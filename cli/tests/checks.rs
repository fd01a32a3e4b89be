//! Image hygiene and secrets, on images built here with tar: each check fires
//! when it should, look-alikes stay silent, and no planted secret appears in
//! any report, log line or error message.

use std::path::Path;

use crate::scan::corpus_db;
use crate::support::image::{base_layer, sha256, tar, Entry, Image};
use crate::support::{fixtures, portcullis, stderr};

const STATUS_WITH_SUDO_AND_SSH: &str = "Package: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9.13p3-1+deb12u1\n\nPackage: openssh-server\nStatus: install ok installed\nArchitecture: amd64\nSource: openssh\nVersion: 1:9.2p1-2+deb12u3\n";

/// A config as a Docker build would write it, for `layers`.
fn config(layers: &[Vec<u8>], runtime: serde_json::Value, history: &[&str]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|t| sha256(t)).collect();
    let history: Vec<serde_json::Value> = history
        .iter()
        .map(|step| serde_json::json!({"created_by": step, "empty_layer": !step.starts_with("RUN") && !step.contains("ADD") && !step.contains("COPY")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": runtime,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap()
}

fn write_image(dir: &Path, layers: Vec<Vec<u8>>, config: Vec<u8>) -> String {
    let mut image = Image::new(layers);
    image.raw_config = Some(config);
    image.write_oci_dir(dir);
    format!("oci-dir:{}", dir.display())
}

/// Scans with every output; returns (exit code, every text written, JSON report).
fn scan_all(target: &str, extra: &[&str]) -> (i32, String, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    scan_into(out.path(), target, extra)
}

/// As `scan_all`, leaving each output in `out` as `out/FORMAT`.
fn scan_into(out: &Path, target: &str, extra: &[&str]) -> (i32, String, serde_json::Value) {
    let cache = tempfile::tempdir().unwrap();
    let formats = [
        "json",
        "sarif",
        "junit",
        "teamcity",
        "markdown",
        "asff",
        "cyclonedx-vex",
    ];
    let mut command = portcullis(cache.path());
    command.args(["-v", "scan", target, "--db", corpus_db().to_str().unwrap()]);
    for format in formats {
        command.args([
            "--output",
            &format!("{format}={}", out.join(format).display()),
        ]);
    }
    let output = command.args(extra).output().unwrap();
    let mut all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    for format in formats {
        all.push_str(&std::fs::read_to_string(out.join(format)).unwrap_or_default());
    }
    // The layer cache must not keep a secret either.
    for entry in walkdir::WalkDir::new(cache.path()).into_iter().flatten() {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let plain = zstd::decode_all(bytes.as_slice()).unwrap_or(bytes);
            all.push_str(&String::from_utf8_lossy(&plain));
        }
    }
    let json = serde_json::from_slice(&std::fs::read(out.join("json")).unwrap_or_default())
        .unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap_or(-1), all, json)
}

fn check_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn hygiene_checks_fire_on_a_badly_built_image() {
    let dir = tempfile::tempdir().unwrap();
    let upper = tar(&[
        Entry::File("var/lib/dpkg/status", STATUS_WITH_SUDO_AND_SSH.as_bytes()),
        Entry::File(
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
            b"Origin: Debian\n",
        ),
        Entry::File("var/lib/apt/lists/lock", b""),
        Entry::FileMode("usr/local/bin/helper", b"#!/bin/sh\n", 0o4755),
        Entry::FileMode("usr/bin/passwd", b"#!/bin/sh\n", 0o4755),
        Entry::FileMode("opt/app/settings.ini", b"[app]\n", 0o666),
        Entry::FileMode("tmp/scratch", b"x", 0o666),
    ]);
    let layers = vec![base_layer(), upper];
    let password = format!("{}-{}", "hunter2", "from-the-build");
    let env = format!("DB_PASSWORD={password}");
    let arg = format!("|1 API_TOKEN={password} /bin/sh -c make");
    let config = config(
        &layers,
        serde_json::json!({
            "Env": ["PATH=/usr/bin", env],
            "ExposedPorts": {"22/tcp": {}, "8080/tcp": {}},
            "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:latest"},
        }),
        &[
            "ADD https://example.com/tool.tar.gz /opt/ # buildkit",
            "RUN apt-get install -y sudo openssh-server",
            &arg,
        ],
    );
    let target = write_image(dir.path(), layers, config);
    let out = tempfile::tempdir().unwrap();
    let (code, all, report) = scan_into(out.path(), &target, &["--fail-on", "none"]);
    // The checks' SARIF rules pass GitHub's validator and explain themselves.
    assert_eq!(
        crate::reports::sarif_errors(&out.path().join("sarif")),
        Vec::<String>::new()
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("sarif")).unwrap()).unwrap();
    let root = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "hygiene/root-user")
        .unwrap();
    let help = root["help"]["markdown"].as_str().unwrap();
    assert!(
        help.contains("**Why:**") && help.contains("CIS 4.1") && help.contains("USER"),
        "{help}"
    );
    assert_eq!(
        check_ids(&report),
        [
            "hygiene/add-instead-of-copy",
            "hygiene/latest-base",
            "hygiene/no-healthcheck",
            "hygiene/package-cache",
            "hygiene/port-22-exposed",
            "hygiene/root-user",
            "hygiene/secret-in-config",
            "hygiene/setuid-file",
            "hygiene/ssh-server",
            "hygiene/sudo-installed",
            "hygiene/world-writable",
        ]
    );
    let paths: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"usr/local/bin/helper") && !paths.contains(&"usr/bin/passwd"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"opt/app/settings.ini") && !paths.contains(&"tmp/scratch"),
        "{paths:?}"
    );
    // Hygiene warns by default and fails when asked to.
    assert_eq!((code, report["verdict"].as_str()), (0, Some("warn")));
    let (code, _, _) = scan_all(&target, &["--fail-on", "none", "--set", "hygiene=fail"]);
    assert_eq!(code, 1);
    assert!(!all.contains(&password), "the ENV/ARG value leaked");
    // The ignore file accepts a check as it accepts a finding, by id and path.
    let ignore = dir.path().join("ignore.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nid = \"hygiene/setuid-file\"\npath = \"usr/local/bin/helper\"\nreason = \"needs raw sockets\"\n\n[[ignore]]\nid = \"hygiene/root-user\"\nreason = \"drops privileges itself\"\n",
    )
    .unwrap();
    let (_, _, report) = scan_all(
        &target,
        &[
            "--fail-on",
            "none",
            "--ignore-file",
            ignore.to_str().unwrap(),
        ],
    );
    let suppressed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["suppressed"].is_null())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(suppressed, ["hygiene/root-user", "hygiene/setuid-file"]);
    // SARIF: each check is its own rule, with its CIS reference in the help.
    assert!(
        all.contains("\"id\": \"hygiene/root-user\"") && all.contains("\"name\": \"ImageHygiene\"")
    );
}

#[test]
fn debian_app_is_clean_but_for_its_missing_healthcheck() {
    let (code, _, report) = scan_all(
        fixtures().join("debian-app.oci.tar").to_str().unwrap(),
        &["--fail-on", "none"],
    );
    assert_eq!(check_ids(&report), ["hygiene/no-healthcheck"]);
    assert_eq!((code, report["verdict"].as_str()), (0, Some("warn")));
}

/// Secret-shaped values are assembled at run time: the repository holds none.
fn planted() -> Vec<(&'static str, String)> {
    let repeat = |body: &str, len: usize| body.repeat(len / body.len() + 1)[..len].to_owned();
    vec![
        (
            "github",
            format!("ghp_{}", repeat("R8mK2xQ7vL4nP9sT3wZ6yB1c", 36)),
        ),
        ("gitlab", format!("glpat-{}", repeat("Hq7_Wm3-Kz9", 20))),
        (
            "slack",
            format!(
                "xoxb-{}-{}",
                repeat("4815162342", 12),
                repeat("Aq9Zx8Wv7", 24)
            ),
        ),
        (
            "google",
            format!("AIza{}", repeat("Sy8_Qw7-Er6Ty5Ui4Op3", 35)),
        ),
        (
            "stripe",
            format!("sk_live_{}", repeat("51HbQ2eZvKYlo2C", 24)),
        ),
        (
            "jwt",
            format!(
                "eyJ{}.eyJ{}.{}",
                repeat("hbGciOiJIUzI1NiJ9", 20),
                repeat("zdWIiOiJ1c2VyLTQyIn0", 24),
                repeat("Xk2Lm9Qp4Rs7Tv1Wy", 43)
            ),
        ),
        ("aws-id", format!("AKIA{}", repeat("Q7WZ4XK2M9TB3VRN", 16))),
        ("aws-secret", repeat("u7Hc2Lq9Zr4Xw1Ns8Kd5Vb3Pm6Ty0Ge", 40)),
        ("npm", format!("npm_{}", repeat("Zr8Lq2Xw7Ns4", 36))),
        ("pypi", repeat("pypi-AgEIcHlwaS5vcmc", 60)),
        ("docker", repeat("dXNlcjpzM2NyM3RQYXNz", 28)),
        ("dotenv", repeat("Pw9-Db4_Zk7", 22)),
        ("key", repeat("MIIEowIBAAKCAQEAx7Vd2Lq9Hc4Pw8Nz3Kr6", 64)),
    ]
}

#[test]
fn secrets_are_found_redacted_and_deleted_ones_still_count() {
    let dir = tempfile::tempdir().unwrap();
    let s: std::collections::BTreeMap<&str, String> = planted().into_iter().collect();
    let private_key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----\n",
        s["key"], s["key"]
    );
    let aws = format!(
        "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        s["aws-id"], s["aws-secret"]
    );
    let files = [
        ("app/config.js", format!("module.exports = {{ token: '{}' }}\n", s["github"])),
        ("app/deploy.sh", format!("curl -H 'PRIVATE-TOKEN: {}' https://gitlab.example\n", s["gitlab"])),
        ("app/notify.py", format!("SLACK = \"{}\"\n", s["slack"])),
        ("app/maps.js", format!("const key = \"{}\";\n", s["google"])),
        ("app/billing.rb", format!("Stripe.api_key = '{}'\n", s["stripe"])),
        ("app/session.txt", format!("Authorization: Bearer {}\n", s["jwt"])),
        ("root/.aws/credentials", aws),
        ("root/.npmrc", format!("//registry.npmjs.org/:_authToken={}\n", s["npm"])),
        ("root/.pypirc", format!("[pypi]\nusername = __token__\npassword = {}\n", s["pypi"])),
        ("root/.docker/config.json", format!("{{\"auths\": {{\"registry.example\": {{\"auth\": \"{}\"}}}}}}\n", s["docker"])),
        ("app/.env", format!("NODE_ENV=production\nDB_PASSWORD={}\n", s["dotenv"])),
        ("root/.ssh/id_rsa", private_key),
        // Look-alikes: a public key, AWS's documentation example pair, a template.
        ("etc/ssl/certs/service.pub", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQAB\n-----END PUBLIC KEY-----\n".to_owned()),
        ("app/docs/aws.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n".to_owned()),
        ("app/.env.example", "DB_PASSWORD=put-the-password-here-please\n".to_owned()),
        ("app/fixtures/test-key.pem", format!("-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n", s["key"])),
    ];
    let entries: Vec<Entry<'_>> = files
        .iter()
        .map(|(p, t)| Entry::File(p, t.as_bytes()))
        .collect();
    let secrets_layer = tar(&entries);
    // A later layer deletes the private key: it still ships in the layer below.
    let cleanup = tar(&[Entry::File("root/.ssh/.wh.id_rsa", b"")]);
    let layers = vec![base_layer(), secrets_layer, cleanup];
    let config = config(
        &layers,
        serde_json::json!({"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}}),
        &["COPY . / # buildkit", "RUN rm /root/.ssh/id_rsa # buildkit"],
    );
    let target = write_image(dir.path(), layers, config);
    let allow = dir.path().join("allow.toml");
    std::fs::write(&allow, "[[allow]]\npath = \"app/fixtures/**\"\nrule = \"secret/private-key\"\nreason = \"test keys\"\n").unwrap();
    let (code, all, report) = scan_all(
        &target,
        &[
            "--fail-on",
            "none",
            "--secrets-allow",
            allow.to_str().unwrap(),
        ],
    );
    assert_eq!(
        check_ids(&report),
        [
            "secret/aws-access-key",
            "secret/dotenv",
            "secret/github-token",
            "secret/gitlab-token",
            "secret/google-api-key",
            "secret/jwt",
            "secret/package-registry-credentials",
            "secret/private-key",
            "secret/slack-token",
            "secret/stripe-key",
        ]
    );
    let checks = report["checks"].as_array().unwrap();
    let paths: Vec<&str> = checks.iter().filter_map(|c| c["path"].as_str()).collect();
    for silent in [
        "etc/ssl/certs/service.pub",
        "app/docs/aws.md",
        "app/.env.example",
        "app/fixtures/test-key.pem",
    ] {
        assert!(
            !paths.contains(&silent),
            "{silent} is a look-alike: {paths:?}"
        );
    }
    assert_eq!(
        paths
            .iter()
            .filter(|p| **p == "root/.npmrc"
                || **p == "root/.pypirc"
                || **p == "root/.docker/config.json")
            .count(),
        3
    );
    let key = checks
        .iter()
        .find(|c| c["id"] == "secret/private-key")
        .unwrap();
    assert!(
        key["message"].as_str().unwrap().contains("still ships it"),
        "{key}"
    );
    assert_eq!(key["excerpt"], "-----BEGIN RSA PRIVATE KEY-----");
    let github = checks
        .iter()
        .find(|c| c["id"] == "secret/github-token")
        .unwrap();
    assert_eq!(github["excerpt"], "module.exports = { token: 'ghp_****' }");
    // Secrets fail the default gate even with --fail-on none; the setting turns that off.
    assert_eq!((code, report["verdict"].as_str()), (1, Some("fail")));
    for (name, value) in planted() {
        assert!(
            !all.contains(&value),
            "the {name} secret appears in an output, a log line or the cache"
        );
        let middle = &value[value.len() / 3..value.len() / 3 + 12];
        assert!(
            !all.contains(middle),
            "part of the {name} secret appears in an output"
        );
    }
    let (code, _, report) = scan_all(
        &target,
        &[
            "--fail-on",
            "none",
            "--set",
            "fail-on-secret=false",
            "--secrets-allow",
            allow.to_str().unwrap(),
        ],
    );
    assert_eq!((code, report["verdict"].as_str()), (0, Some("pass")));
    // --no-checks reads packages only.
    let (_, _, report) = scan_all(&target, &["--no-checks"]);
    assert_eq!(report["checks"], serde_json::json!([]));
}

#[test]
fn a_bad_allow_list_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let allow = dir.path().join("allow.toml");
    std::fs::write(&allow, "[[allow]]\npath = \"x/**\"\n").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .args([
            "scan",
            &format!("dir:{}", dir.path().display()),
            "--db",
            corpus_db().to_str().unwrap(),
            "--secrets-allow",
            allow.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!(
            "`{}` is not a secrets allow-list",
            allow.display()
        )),
        "{}",
        stderr(&output)
    );
}
