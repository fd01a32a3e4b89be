//! Snapshots of every report format, over the demo image kept in the
//! repository and the OSV sample beside it (`demo/`). A change to any format
//! shows as a diff to review: `cargo insta review`, or set `INSTA_UPDATE=always`
//! and read the `.snap` files' diff before committing them.
//!
//! Masked: the DB's build time (the one time that is not `SOURCE_DATE_EPOCH`).

use std::path::Path;

use crate::support::portcullis;

/// Every `--format`, with the file extension its snapshot gets.
const FORMATS: &[&str] = &[
    "table",
    "json",
    "sarif",
    "junit",
    "teamcity",
    "markdown",
    "cyclonedx",
    "spdx",
    "cyclonedx-vex",
    "openvex",
    "asff",
];

/// The demo DB (`demo/osv-sample`, `demo/cve-sample`) imported into `dir`.
fn demo_db(dir: &Path) -> String {
    let db = dir.join("demo.db");
    let imported = portcullis(&dir.join("cache"))
        .current_dir(repo())
        .args(["db", "--db", db.to_str().unwrap(), "import"])
        .args(["demo/osv-sample", "demo/cve-sample"])
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        crate::support::stderr(&imported)
    );
    db.to_str().unwrap().to_owned()
}

/// The repository: paths relative to it, as the quick start gives them.
fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_report_format_of_the_demo_image() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let db = db.as_str();
    let cache = dir.path().join("cache");
    let repo = repo();
    let scan = |format: &str| {
        let output = portcullis(&cache)
            .current_dir(&repo)
            .args([
                "scan",
                "--db",
                db,
                "demo/debian-demo.oci.tar",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: the demo image fails the default gate"
        );
        String::from_utf8(output.stdout).unwrap()
    };
    // An 80-column terminal: the narrow table, every line within 80
    // columns, and colour codes that take none (the same text without them).
    let narrow = |colour: bool| {
        let mut command = portcullis(&cache);
        command.current_dir(&repo).env("COLUMNS", "80").args([
            "scan",
            "--db",
            db,
            "demo/debian-demo.oci.tar",
        ]);
        if colour {
            command.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).unwrap()
    };
    let (plain, coloured) = (narrow(false), narrow(true));
    assert!(
        coloured.contains('\u{1b}'),
        "CLICOLOR_FORCE paints the table"
    );
    // SGR sequences (`ESC [ … m`) removed.
    let mut stripped = String::new();
    let mut in_code = false;
    for c in coloured.chars() {
        match (in_code, c) {
            (false, '\u{1b}') => in_code = true,
            (true, 'm') => in_code = false,
            (true, _) => {}
            (false, c) => stripped.push(c),
        }
    }
    assert_eq!(stripped, plain);
    for line in plain.lines() {
        assert!(line.chars().count() <= 80, "over 80 columns: {line:?}");
    }
    let json: serde_json::Value = serde_json::from_str(&scan("json")).unwrap();
    let built = json["db"]["built"]
        .as_str()
        .expect("the report names the DB's build time")
        .to_owned();
    insta::with_settings!({ snapshot_suffix => "table-80", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("demo", plain.replace(&built, "[db built]"));
    });
    for format in FORMATS {
        let text = scan(format).replace(&built, "[db built]");
        insta::with_settings!({ snapshot_suffix => *format, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("demo", text);
        });
    }
}

/// The base-image groups, fixes and advice of the table and the JSON
/// report: the demo image gated on its own layers over itself as its base,
/// so that every finding is the base's and none is gated.
#[test]
fn the_demo_image_over_itself_as_its_base() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let cache = dir.path().join("cache");
    let scan = |format: &str| {
        let output = portcullis(&cache)
            .current_dir(repo())
            .args(["scan", "--db", &db, "--format", format])
            .args(["--base", "demo/debian-demo.oci.tar", "--set", "origin=own"])
            .arg("demo/debian-demo.oci.tar")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: nothing of the image's own is gated: {}",
            crate::support::stderr(&output)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&scan("json")).unwrap();
    let built = json["db"]["built"].as_str().unwrap().to_owned();
    for format in ["table", "json"] {
        let text = scan(format).replace(&built, "[db built]");
        insta::with_settings!({ snapshot_suffix => format, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("demo-over-its-base", text);
        });
    }
}
