//! Carries the sources an update did not fetch over from the old DB: their
//! source rows, record blocks and advisories under new ids, their packages'
//! entries with the ranges interned again, and the KEV, EPSS and CVE tables.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::params;

use super::{AdvisoryRow, Builder};
use crate::schema::sql_error;
use crate::stored::{self, Entry, Place};
use crate::Error;

impl Builder {
    /// Copies the sources named in `keep` (all their rows) from the database at `old`.
    pub(crate) fn copy_sources(&mut self, old: &Path, keep: &[String]) -> Result<(), Error> {
        if keep.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let error = sql_error(&path);
        self.connection
            .execute("ATTACH DATABASE ?1 AS old", [old.to_string_lossy()])
            .map_err(&error)?;
        // Old advisory id -> new one, over every kept feed.
        let mut advisories: HashMap<i64, i64> = HashMap::new();
        for name in keep {
            self.connection
                .execute(
                    "INSERT INTO sources SELECT * FROM old.sources WHERE name = ?1",
                    [name],
                )
                .map_err(&error)?;
            self.copy_feed(old, name, &mut advisories)?;
            match name.as_str() {
                "kev" => self
                    .connection
                    .execute("INSERT INTO kev SELECT * FROM old.kev", []),
                "epss" => self
                    .connection
                    .execute("INSERT INTO epss SELECT * FROM old.epss", []),
                "cve" => self
                    .connection
                    .execute("INSERT INTO cve_records SELECT * FROM old.cve_records", []),
                _ => Ok(0),
            }
            .map_err(&error)?;
        }
        self.copy_entries(old, &advisories)?;
        self.connection
            .execute_batch("COMMIT; DETACH DATABASE old; BEGIN")
            .map_err(&error)?;
        Ok(())
    }

    /// Copies one feed's record blocks and advisories.
    fn copy_feed(
        &mut self,
        old: &Path,
        name: &str,
        advisories: &mut HashMap<i64, i64>,
    ) -> Result<(), Error> {
        let path = self.path.clone();
        let error = sql_error(&path);
        let old_feed: Option<i64> = self
            .connection
            .query_row("SELECT id FROM old.feeds WHERE name = ?1", [name], |row| {
                row.get(0)
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                other => Err(other),
            })
            .map_err(&error)?;
        let Some(old_feed) = old_feed else {
            return Ok(());
        };
        let feed = self.feed_id(name)?;
        let mut blocks: HashMap<i64, i64> = HashMap::new();
        let copied: Vec<(i64, Vec<u8>)> = self
            .connection
            .prepare("SELECT id, data FROM old.records WHERE feed = ?1 ORDER BY id")
            .and_then(|mut s| {
                s.query_map([old_feed], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .map_err(&error)?;
        for (old_id, data) in copied {
            let id = self.blocks.take_id();
            self.connection
                .execute(
                    "INSERT INTO records (id, feed, data) VALUES (?1, ?2, ?3)",
                    params![id, feed, data],
                )
                .map_err(&error)?;
            blocks.insert(old_id, id);
        }
        type OldAdvisory = (
            i64,
            String,
            i64,
            i64,
            i64,
            bool,
            Option<String>,
            Option<Vec<u8>>,
        );
        let rows: Vec<OldAdvisory> = self
            .connection
            .prepare(
                "SELECT id, osv_id, block, start, length, withdrawn, summary, info
                 FROM old.advisories WHERE feed = ?1 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([old_feed], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                        row.get(7)?,
                    ))
                })?
                .collect()
            })
            .map_err(&error)?;
        for (old_id, osv_id, block, start, length, withdrawn, summary, info) in rows {
            let Some(block) = blocks.get(&block).copied() else {
                return Err(damaged(
                    old,
                    format!("advisory `{osv_id}`"),
                    format!("record block {block}"),
                ));
            };
            let id = self.insert_advisory(AdvisoryRow {
                feed,
                osv_id: &osv_id,
                place: Place {
                    block,
                    start,
                    length,
                },
                withdrawn,
                summary: summary.as_deref(),
                info: info.as_deref(),
            })?;
            advisories.insert(old_id, id);
        }
        Ok(())
    }

    /// Copies the entries of the copied advisories, package by package.
    fn copy_entries(&mut self, old: &Path, advisories: &HashMap<i64, i64>) -> Result<(), Error> {
        if advisories.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let error = sql_error(&path);
        let rows: Vec<(String, String, Vec<u8>)> = self
            .connection
            .prepare(
                "SELECT e.name, a.name, a.entries FROM old.affected a
                 JOIN old.ecosystems e ON e.id = a.ecosystem ORDER BY a.ecosystem, a.name",
            )
            .and_then(|mut s| {
                s.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect()
            })
            .map_err(&error)?;
        // Old range id -> new one.
        let mut ranges: HashMap<i64, i64> = HashMap::new();
        let mut wanted: HashSet<i64> = HashSet::new();
        let mut kept: Vec<(String, String, Vec<Entry>)> = Vec::new();
        for (ecosystem, name, entries) in rows {
            let entries: Vec<Entry> =
                stored::decode(&entries).map_err(|source| Error::Damaged {
                    path: old.to_owned(),
                    what: format!("entries of `{ecosystem}/{name}`"),
                    source,
                })?;
            let entries: Vec<Entry> = entries
                .into_iter()
                .filter(|entry| advisories.contains_key(&entry.advisory))
                .collect();
            wanted.extend(entries.iter().map(|entry| entry.range));
            if !entries.is_empty() {
                kept.push((ecosystem, name, entries));
            }
        }
        let mut select = self
            .connection
            .prepare("SELECT id, data FROM old.ranges")
            .map_err(&error)?;
        let old_ranges: Vec<(i64, Vec<u8>)> = select
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(&error)?;
        drop(select);
        for (old_id, data) in old_ranges {
            if wanted.contains(&old_id) {
                let encoded = stored::unpack_range(&data).map_err(|source| Error::Damaged {
                    path: old.to_owned(),
                    what: format!("range {old_id}"),
                    source,
                })?;
                let id = self.range_id(encoded.into_owned())?;
                ranges.insert(old_id, id);
            }
        }
        for (ecosystem, name, entries) in kept {
            let ecosystem = self.ecosystem_id(&ecosystem)?;
            let list = self.affected.entry((ecosystem, name.clone())).or_default();
            for entry in entries {
                let (Some(advisory), Some(range)) = (
                    advisories.get(&entry.advisory).copied(),
                    ranges.get(&entry.range).copied(),
                ) else {
                    return Err(damaged(
                        old,
                        format!("entries of `{name}`"),
                        format!("range {}", entry.range),
                    ));
                };
                list.push(Entry { advisory, range });
            }
        }
        Ok(())
    }
}

fn damaged(old: &Path, what: String, missing: String) -> Error {
    Error::Damaged {
        path: old.to_owned(),
        what,
        source: stored::StoredError::Dangling(missing),
    }
}
