//! The compact storage gives back what it was given, over the whole shared
//! corpus: every affected entry of every record (ranges, versions, vendor
//! severity, Go imports, withdrawn flag), every advisory's aliases and
//! severities, and records' JSON byte for byte. Schema 3 stored these
//! as the JSON of the same parsed values, so equal values mean the matcher
//! sees what it saw before.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::import::osv_zip_source;
use super::osv::Advisory;
use super::schema::{in_family, package_key};
use super::{AffectedRow, Database};

fn corpus() -> PathBuf {
    let shared = std::env::var_os("PORTCULLIS_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let osv = shared.join("vulndb/osv");
    assert!(
        osv.is_dir(),
        "the shared corpus is not at {}",
        osv.display()
    );
    osv
}

/// Every record of each zip: (source family, entry name, JSON).
fn records(zips: &[PathBuf]) -> Vec<(Option<String>, Vec<u8>)> {
    let mut out = Vec::new();
    for zip in zips {
        let (_, family) = osv_zip_source(zip);
        let mut archive = zip::ZipArchive::new(fs_err::File::open(zip).unwrap()).unwrap();
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            if !entry.name().ends_with(".json") {
                continue;
            }
            let mut json = Vec::new();
            entry.read_to_end(&mut json).unwrap();
            out.push((family.clone(), json));
        }
    }
    out
}

fn sorted(mut rows: Vec<AffectedRow>) -> Vec<AffectedRow> {
    rows.sort_by_key(|row| format!("{row:?}"));
    rows
}

#[test]
fn the_whole_corpus_comes_back_as_it_went_in() {
    let osv = corpus();
    let mut zips: Vec<PathBuf> = fs_err::read_dir(&osv)
        .unwrap()
        .map(|entry| entry.unwrap().path().join("all.zip"))
        .filter(|zip| zip.is_file())
        .collect();
    zips.sort();
    assert!(zips.len() >= 8, "{zips:?}");
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("p.db");
    crate::import(&db_path, &zips, portcullis_model::Timestamp::from_unix(0)).unwrap();
    check(&Database::open(&db_path).unwrap(), &zips);
    // A rebuild that imports one feed again carries every other one over
    // from the old file (`writer/carry.rs`): the same answers again.
    let npm: Vec<PathBuf> = zips
        .iter()
        .filter(|zip| zip.parent().and_then(Path::file_name) == Some("npm".as_ref()))
        .cloned()
        .collect();
    assert_eq!(npm.len(), 1);
    let report = crate::import(&db_path, &npm, portcullis_model::Timestamp::from_unix(60))
        .unwrap()
        .unwrap();
    assert_eq!(report.kept.len(), zips.len() - 1, "{:?}", report.kept);
    check(&Database::open(&db_path).unwrap(), &zips);
}

/// Every entry, advisory and sampled record of the zips, as `db` gives them back.
fn check(db: &Database, zips: &[PathBuf]) {
    // (ecosystem, key) -> the rows the records say, in any order.
    let mut expected: BTreeMap<(String, String), (String, Vec<AffectedRow>)> = BTreeMap::new();
    let mut entries = 0;
    let records = records(zips);
    for (index, (family, json)) in records.iter().enumerate() {
        let advisory = Advisory::from_json(json).unwrap();
        for entry in &advisory.affected {
            if !in_family(family.as_deref(), &entry.ecosystem) {
                continue;
            }
            entries += 1;
            let key = package_key(&entry.ecosystem, &entry.name);
            expected
                .entry((entry.ecosystem.clone(), key))
                .or_insert_with(|| (entry.name.clone(), Vec::new()))
                .1
                .push(AffectedRow {
                    osv_id: advisory.id.clone(),
                    withdrawn: advisory.withdrawn.is_some(),
                    ecosystem: entry.ecosystem.clone(),
                    ranges: entry.ranges.clone(),
                    versions: entry.versions.clone(),
                    severity: entry.severity.clone(),
                    imports: entry.imports.clone(),
                });
        }
        // The record's own bytes, found by its id: one record in 50, as
        // `records` also reads every advisory's aliases.
        if index % 50 == 0 {
            let found = db.records(&advisory.id).unwrap();
            assert!(
                found
                    .iter()
                    .any(|(id, bytes)| id == &advisory.id && bytes == json),
                "{}",
                advisory.id
            );
        }
        let info = db.advisory(&advisory.id).unwrap().unwrap();
        assert_eq!(
            (
                &info.aliases,
                &info.upstream,
                &info.related,
                &info.severity,
                &info.database_severity
            ),
            (
                &advisory.aliases,
                &advisory.upstream,
                &advisory.related,
                &advisory.severity,
                &advisory.database_severity
            ),
            "{}",
            advisory.id
        );
        assert_eq!(&info.summary, &advisory.summary);
    }
    assert!(records.len() > 38_000 && entries > 110_000, "{entries}");
    for ((ecosystem, _), (name, rows)) in expected {
        let stored = db.affecting(&ecosystem, &name).unwrap();
        let ids: Vec<&str> = stored.iter().map(|row| row.osv_id.as_str()).collect();
        assert!(ids.is_sorted(), "{ecosystem}/{name}: {ids:?}");
        assert_eq!(sorted(stored), sorted(rows), "{ecosystem}/{name}");
    }
}
