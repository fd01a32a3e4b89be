//! Join packages with advisories into findings: look each package up by its
//! ecosystem and name (distro packages by their source package), test its
//! version against every range with the ecosystem's comparator, and fold the
//! advisories that are one vulnerability (by their aliases) into one finding
//! per package, each with the explanation of what matched.
//!
//! Range semantics: <https://ossf.github.io/osv-schema/#evaluation>.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use portcullis_catalog::{Diagnostic, Inventory, Package, PackageId, PackageKind};
use portcullis_model::{Ecosystem, VulnId};
use portcullis_version::{Scheme, Version};
use portcullis_vulndb::{
    self as vulndb, AdvisoryInfo, AffectedRow, Database, Event, GoImport, RangeKind,
};

/// Why a match was made: which record, which range, which comparator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub advisory: String,
    pub ecosystem: String,
    /// The name looked up (a distro package's source package).
    pub package: String,
    /// The version compared.
    pub version: String,
    /// The range that contains it (`introduced 0, fixed 2.36-9+deb12u3`) or `listed in versions`.
    pub range: String,
    pub comparator: &'static str,
}

/// One vulnerability in one package.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The primary id: the CVE when the cluster has one.
    pub id: VulnId,
    /// Every other id of the same vulnerability (advisory ids and aliases), sorted.
    pub aliases: Vec<VulnId>,
    /// Ids an advisory derives from or relates to that are not this vulnerability.
    pub related: Vec<VulnId>,
    /// The package of the inventory it was found in.
    pub package: PackageId,
    /// Every fixed version the advisories name, in the ecosystem's order
    /// (ones that do not parse last, by text).
    pub fixed_versions: Vec<String>,
    /// The nearest fixed version above the installed one: what to upgrade to
    /// (`None` when no fixed version is above it, or none parses).
    pub nearest_fix: Option<String>,
    pub explanation: Explanation,
    /// The advisories folded into this finding.
    pub advisories: Vec<AdvisoryInfo>,
    /// Vendor severities from the matching `affected` entries.
    pub vendor_severities: Vec<String>,
    /// Go: the vulnerable packages and symbols that the folded advisories
    /// name (the Go vulnerability database's records do; GitHub's do not),
    /// or `None` when none of them names any.
    pub go_imports: Option<Vec<GoImport>>,
}

impl Finding {
    /// The primary id, then aliases, then related ids: every id worth looking up.
    pub fn all_ids(&self) -> impl Iterator<Item = &VulnId> {
        std::iter::once(&self.id)
            .chain(&self.aliases)
            .chain(&self.related)
    }
}

/// A package whose version could not be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatchable {
    pub package: PackageId,
    pub why: String,
}

impl Unmatchable {
    /// What every output says of it: the package, where it was found, and why.
    pub fn diagnostic(&self, inventory: &Inventory) -> Diagnostic {
        let package = inventory.package(self.package);
        let location = package.locations.first();
        Diagnostic {
            path: location.map_or_else(String::new, |l| l.path.clone()),
            layer: location.and_then(|l| l.layer),
            message: format!(
                "`{}` {} could not be evaluated: {}",
                package.name, package.version, self.why
            ),
        }
    }
}

/// What a lookup asks the DB.
struct Query {
    ecosystem: String,
    name: String,
    version: String,
    scheme: Scheme,
}

/// The DB queries for one package; none for packages no advisory can name.
fn queries(package: &Package) -> Vec<Query> {
    let Some(ecosystem) = &package.ecosystem else {
        return Vec::new();
    };
    let Some(scheme) = Scheme::for_ecosystem(ecosystem) else {
        return Vec::new();
    };
    // Debian testing has no release number, so no release's advisories apply.
    if matches!(
        ecosystem,
        Ecosystem::Debian { release: None } | Ecosystem::Alpine { branch: None }
    ) {
        return Vec::new();
    }
    // A Go main module built from a local tree has no version to compare.
    if package.version.is_empty() || package.version == "(devel)" {
        return Vec::new();
    }
    let query = |name: &str, version: &str| Query {
        ecosystem: ecosystem.to_string(),
        name: name.to_owned(),
        version: version.to_owned(),
        scheme,
    };
    match package.kind {
        PackageKind::Deb => match &package.source {
            Some(source) => vec![query(&source.name, &source.version)],
            None => vec![query(&package.name, &package.version)],
        },
        PackageKind::Apk => match &package.source {
            Some(source) => vec![query(&source.name, &package.version)],
            None => vec![query(&package.name, &package.version)],
        },
        PackageKind::Rpm => {
            let mut found = vec![query(&package.name, &package.version)];
            if let Some(source) = package.source.as_ref().filter(|s| s.name != package.name) {
                found.push(query(&source.name, &package.version));
            }
            found
        }
        PackageKind::Npm
        | PackageKind::Python
        | PackageKind::Go
        | PackageKind::Cargo
        | PackageKind::Java
        | PackageKind::Gem
        | PackageKind::Composer
        | PackageKind::NuGet => vec![query(&package.name, &package.version)],
    }
}

/// An event version, with OSV's `introduced: "0"` as the lowest of all.
enum Bound {
    Zero,
    At(Version),
}

fn render(events: &[Event]) -> String {
    events
        .iter()
        .map(|event| match event {
            Event::Introduced(v) => format!("introduced {v}"),
            Event::Fixed(v) => format!("fixed {v}"),
            Event::LastAffected(v) => format!("last_affected {v}"),
            Event::Limit(v) => format!("limit {v}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `version` is inside the range's events (OSV's evaluation:
/// events sorted by version, introduced opens, fixed and last_affected close).
fn in_range(version: &Version, events: &[Event], scheme: Scheme) -> Result<bool, String> {
    let mut parsed = Vec::with_capacity(events.len());
    for event in events {
        let text = match event {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        };
        let bound = if matches!(event, Event::Introduced(_)) && text == "0" {
            Bound::Zero
        } else {
            Bound::At(Version::parse(scheme, text).map_err(|e| e.to_string())?)
        };
        parsed.push((bound, event));
    }
    portcullis_version::sort_versions(&mut parsed, |(a, _), (b, _)| match (a, b) {
        (Bound::Zero, Bound::Zero) => std::cmp::Ordering::Equal,
        (Bound::Zero, Bound::At(_)) => std::cmp::Ordering::Less,
        (Bound::At(_), Bound::Zero) => std::cmp::Ordering::Greater,
        (Bound::At(a), Bound::At(b)) => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
    // A pair the scheme cannot order (apk past invalid syntax) makes the
    // range unevaluable: the gate says so rather than guess either way.
    let order = |b: &Version| {
        version.partial_cmp(b).ok_or_else(|| {
            format!(
                "`{}` and `{}` cannot be ordered by {}'s rules",
                version.text(),
                b.text(),
                scheme.name()
            )
        })
    };
    let at_least = |bound: &Bound| match bound {
        Bound::Zero => Ok(true),
        Bound::At(b) => order(b).map(Ordering::is_ge),
    };
    let mut affected = false;
    let mut limited = false;
    for (bound, event) in &parsed {
        match event {
            Event::Introduced(_) => {
                if at_least(bound)? {
                    affected = true;
                }
            }
            Event::Fixed(_) => {
                if at_least(bound)? {
                    affected = false;
                }
            }
            Event::LastAffected(_) => {
                if let Bound::At(b) = bound {
                    if order(b)?.is_gt() {
                        affected = false;
                    }
                }
            }
            Event::Limit(_) => {
                if at_least(bound)? {
                    limited = true;
                }
            }
        }
    }
    Ok(affected && !limited)
}

/// A matched row: how it matched and what fixes it.
struct Hit {
    range: String,
    fixed: Vec<String>,
    comparator: &'static str,
}

/// What one advisory row says of a package's version.
enum Evaluation {
    Hit(Hit),
    Miss,
    /// A range the row gives could not be evaluated and nothing else matched:
    /// the package may be affected; the gate must not pass it in silence.
    Unevaluable(String),
}

fn evaluate(row: &AffectedRow, version: &Version, query: &Query) -> Evaluation {
    let mut problems = Vec::new();
    let fixed_of = |events: &[Event]| -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.clone()),
                Event::Introduced(_) | Event::LastAffected(_) | Event::Limit(_) => None,
            })
            .collect()
    };
    for range in &row.ranges {
        let scheme = match range.kind {
            RangeKind::Git => continue,
            RangeKind::Ecosystem => query.scheme,
            RangeKind::Semver if query.scheme == Scheme::Go => Scheme::Go,
            RangeKind::Semver => Scheme::Semver,
        };
        let version = if scheme == query.scheme {
            version.clone()
        } else {
            match Version::parse(scheme, &query.version) {
                Ok(version) => version,
                Err(error) => {
                    problems.push(format!("the version is not {}: {error}", scheme.name()));
                    continue;
                }
            }
        };
        match in_range(&version, &range.events, scheme) {
            Ok(true) => {
                return Evaluation::Hit(Hit {
                    range: render(&range.events),
                    fixed: fixed_of(&range.events),
                    comparator: scheme.name(),
                })
            }
            Ok(false) => {}
            Err(why) => problems.push(why),
        }
    }
    let listed = row.versions.iter().any(|listed| {
        Version::parse(query.scheme, listed).is_ok_and(|v| v == *version)
            || listed == &query.version
    });
    if listed {
        let fixed = row
            .ranges
            .iter()
            .flat_map(|r| fixed_of(&r.events))
            .collect();
        return Evaluation::Hit(Hit {
            range: "listed in versions".to_owned(),
            fixed,
            comparator: query.scheme.name(),
        });
    }
    match problems.into_iter().next() {
        Some(why) => Evaluation::Unevaluable(format!(
            "{}: a range could not be evaluated ({})",
            row.osv_id,
            portcullis_model::quote(&why)
        )),
        None => Evaluation::Miss,
    }
}

/// A matched advisory before clustering.
struct Matched {
    row: AffectedRow,
    info: AdvisoryInfo,
    hit: Hit,
    query_name: String,
    query_version: String,
    scheme: Scheme,
}

/// Groups matches that share an id (by `aliases`, or a single `upstream`).
fn cluster(matches: Vec<Matched>) -> Vec<Vec<Matched>> {
    let ids_of = |m: &Matched| -> Vec<String> {
        let mut ids = vec![m.info.osv_id.clone()];
        ids.extend(m.info.aliases.iter().cloned());
        if m.info.upstream.len() == 1 {
            ids.extend(m.info.upstream.iter().cloned());
        }
        ids
    };
    let mut groups: Vec<(Vec<String>, Vec<Matched>)> = Vec::new();
    for matched in matches {
        let ids = ids_of(&matched);
        let joined: Vec<usize> = groups
            .iter()
            .enumerate()
            .filter(|(_, (group_ids, _))| group_ids.iter().any(|id| ids.contains(id)))
            .map(|(index, _)| index)
            .collect();
        let mut merged_ids = ids;
        let mut merged = vec![matched];
        for index in joined.into_iter().rev() {
            let (group_ids, members) = groups.remove(index);
            merged_ids.extend(group_ids);
            merged.extend(members);
        }
        groups.push((merged_ids, merged));
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

fn finding(package: PackageId, mut members: Vec<Matched>) -> Option<Finding> {
    members.sort_by(|a, b| {
        VulnId::new(&a.info.osv_id)
            .rank()
            .cmp(&VulnId::new(&b.info.osv_id).rank())
    });
    let mut ids: Vec<VulnId> = Vec::new();
    let mut related: Vec<VulnId> = Vec::new();
    for member in &members {
        ids.push(VulnId::new(&member.info.osv_id));
        ids.extend(member.info.aliases.iter().map(|a| VulnId::new(a)));
        if member.info.upstream.len() == 1 {
            ids.extend(member.info.upstream.iter().map(|a| VulnId::new(a)));
        } else {
            related.extend(member.info.upstream.iter().map(|a| VulnId::new(a)));
        }
        related.extend(member.info.related.iter().map(|a| VulnId::new(a)));
    }
    ids.sort_by(|a, b| a.rank().cmp(&b.rank()));
    ids.dedup();
    let id = ids.first()?.clone();
    let aliases: Vec<VulnId> = ids.into_iter().skip(1).collect();
    related.sort();
    related.dedup();
    related.retain(|r| r != &id && !aliases.contains(r));
    let first = members.first()?;
    let explanation = Explanation {
        advisory: first.info.osv_id.clone(),
        ecosystem: first.row.ecosystem.clone(),
        package: first.query_name.clone(),
        version: first.query_version.clone(),
        range: first.hit.range.clone(),
        comparator: first.hit.comparator,
    };
    let (fixed_versions, nearest_fix) = order_fixes(
        members.iter().flat_map(|m| m.hit.fixed.iter().cloned()),
        first.scheme,
        &first.query_version,
    );
    let vendor_severities = members
        .iter()
        .filter_map(|m| m.row.severity.clone())
        .collect();
    let mut go_imports: Option<Vec<GoImport>> = None;
    for imports in members.iter().filter_map(|m| m.row.imports.as_ref()) {
        let all = go_imports.get_or_insert_with(Vec::new);
        for import in imports {
            if !all.contains(import) {
                all.push(import.clone());
            }
        }
    }
    Some(Finding {
        id,
        aliases,
        related,
        package,
        fixed_versions,
        nearest_fix,
        explanation,
        advisories: members.into_iter().map(|m| m.info).collect(),
        vendor_severities,
        go_imports,
    })
}

/// Sorts `fixed` in `scheme`'s order (a fixed version of another branch,
/// `0.6.14` for an installed `1.6.0`, sorts below it) and picks the nearest
/// one above `installed`: never a downgrade.
fn order_fixes(
    fixed: impl Iterator<Item = String>,
    scheme: Scheme,
    installed: &str,
) -> (Vec<String>, Option<String>) {
    let installed = Version::parse(scheme, installed).ok();
    let mut parsed: Vec<(Version, String)> = Vec::new();
    let mut unparsed: Vec<String> = Vec::new();
    for text in fixed {
        match Version::parse(scheme, &text) {
            Ok(version) => parsed.push((version, text)),
            Err(_) => unparsed.push(text),
        }
    }
    portcullis_version::sort_versions(&mut parsed, |a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.1.cmp(&b.1))
    });
    parsed.dedup_by(|a, b| a.1 == b.1);
    unparsed.sort();
    unparsed.dedup();
    let nearest = installed.and_then(|installed| {
        parsed
            .iter()
            .find(|(version, _)| {
                version.partial_cmp(&installed) == Some(std::cmp::Ordering::Greater)
            })
            .map(|(_, text)| text.clone())
    });
    let ordered = parsed
        .into_iter()
        .map(|(_, text)| text)
        .chain(unparsed)
        .collect();
    (ordered, nearest)
}

/// The advisory rows of each name, by ecosystem.
type RowsByName = HashMap<String, HashMap<String, Rc<Vec<AffectedRow>>>>;

/// The advisory rows of every (ecosystem, name) the queries ask for, read
/// in batches and parsed once however many packages (copies, versions)
/// share the name; names without rows are absent.
fn prefetch(
    db: &Database,
    planned: &[(PackageId, Vec<Query>)],
) -> Result<RowsByName, vulndb::Error> {
    let mut wanted: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for query in planned.iter().flat_map(|(_, queries)| queries) {
        wanted
            .entry(query.ecosystem.as_str())
            .or_default()
            .insert(query.name.as_str());
    }
    let mut rows = RowsByName::new();
    for (ecosystem, names) in wanted {
        let names: Vec<&str> = names.into_iter().collect();
        let found = db.affecting_many(ecosystem, &names)?;
        rows.insert(
            ecosystem.to_owned(),
            found
                .into_iter()
                .map(|(name, found)| (name, Rc::new(found)))
                .collect(),
        );
    }
    Ok(rows)
}

/// Matches every package against the DB; returns findings sorted by package
/// then id, and the packages whose versions could not be compared.
pub fn find(
    db: &Database,
    inventory: &Inventory,
) -> Result<(Vec<Finding>, Vec<Unmatchable>), vulndb::Error> {
    let mut findings = Vec::new();
    let mut unmatchable = Vec::new();
    let mut advisory_cache: BTreeMap<String, Option<AdvisoryInfo>> = BTreeMap::new();
    let planned: Vec<(PackageId, Vec<Query>)> = inventory
        .iter()
        .map(|(id, package)| (id, queries(package)))
        .collect();
    let rows_cache = prefetch(db, &planned)?;
    let no_rows: Rc<Vec<AffectedRow>> = Rc::new(Vec::new());
    for (id, queries) in planned {
        let mut matches: Vec<Matched> = Vec::new();
        let mut matched_ids: HashSet<String> = HashSet::new();
        for query in queries {
            let version = match Version::parse(query.scheme, &query.version) {
                Ok(version) => version,
                Err(error) => {
                    unmatchable.push(Unmatchable {
                        package: id,
                        why: error.to_string(),
                    });
                    continue;
                }
            };
            let rows = rows_cache
                .get(&query.ecosystem)
                .and_then(|names| names.get(&query.name))
                .map_or_else(|| Rc::clone(&no_rows), Rc::clone);
            for row in rows.iter() {
                if row.withdrawn || matched_ids.contains(&row.osv_id) {
                    continue;
                }
                let hit = match evaluate(row, &version, &query) {
                    Evaluation::Hit(hit) => hit,
                    Evaluation::Miss => continue,
                    Evaluation::Unevaluable(why) => {
                        unmatchable.push(Unmatchable { package: id, why });
                        continue;
                    }
                };
                let info = match advisory_cache.get(&row.osv_id) {
                    Some(info) => info.clone(),
                    None => {
                        let info = db.advisory(&row.osv_id)?;
                        advisory_cache.insert(row.osv_id.clone(), info.clone());
                        info
                    }
                };
                let Some(info) = info else {
                    continue;
                };
                matched_ids.insert(row.osv_id.clone());
                matches.push(Matched {
                    row: row.clone(),
                    info,
                    hit,
                    query_name: query.name.clone(),
                    query_version: version.text().to_owned(),
                    scheme: query.scheme,
                });
            }
        }
        let mut package_findings: Vec<Finding> = cluster(matches)
            .into_iter()
            .filter_map(|members| finding(id, members))
            .collect();
        package_findings.sort_by(|a, b| a.id.rank().cmp(&b.id.rank()));
        findings.extend(package_findings);
    }
    Ok((findings, unmatchable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_nearest_fix_is_above_the_installed_version_in_its_order() {
        // smallvec 1.6.0 (RUSTSEC-2021-0003): 0.6.14 is another branch's fix.
        let (ordered, nearest) = order_fixes(
            texts(&["1.6.1", "0.6.14"]).into_iter(),
            Scheme::Semver,
            "1.6.0",
        );
        assert_eq!(
            (ordered, nearest.as_deref()),
            (texts(&["0.6.14", "1.6.1"]), Some("1.6.1"))
        );
        // tokio 1.8.0: numeric order, not text order ("1.13.1" after "1.8.4").
        let (ordered, nearest) = order_fixes(
            texts(&["1.13.1", "1.8.4", "1.5.1", "1.6.3", "1.7.2"]).into_iter(),
            Scheme::Semver,
            "1.8.0",
        );
        assert_eq!(
            ordered,
            texts(&["1.5.1", "1.6.3", "1.7.2", "1.8.4", "1.13.1"])
        );
        assert_eq!(nearest.as_deref(), Some("1.8.4"));
        // dpkg order: an epoch and a Debian revision.
        let (_, nearest) = order_fixes(
            texts(&["1:2.0-1", "2.36-9+deb12u7", "2.36-9+deb12u10"]).into_iter(),
            Scheme::Dpkg,
            "2.36-9+deb12u4",
        );
        assert_eq!(nearest.as_deref(), Some("2.36-9+deb12u7"));
        // Nothing above it: no advice to downgrade.
        let (_, nearest) = order_fixes(texts(&["0.6.14"]).into_iter(), Scheme::Semver, "1.6.0");
        assert_eq!(nearest, None);
    }

    fn range_hit(version: &str, events: &[Event], scheme: Scheme) -> bool {
        in_range(&Version::parse(scheme, version).unwrap(), events, scheme).unwrap()
    }

    #[test]
    fn osv_events_open_and_close_ranges() {
        let i = |v: &str| Event::Introduced(v.into());
        let f = |v: &str| Event::Fixed(v.into());
        let l = |v: &str| Event::LastAffected(v.into());
        let events = [i("0"), f("1.8.0"), i("2.0.0"), f("2.4.0")];
        assert!(range_hit("1.7.9", &events, Scheme::Pep440));
        assert!(
            !range_hit("1.8.0", &events, Scheme::Pep440),
            "a version equal to the fix is not affected"
        );
        assert!(!range_hit("1.9", &events, Scheme::Pep440));
        assert!(range_hit("2.3", &events, Scheme::Pep440));
        assert!(!range_hit("2.4.0", &events, Scheme::Pep440));
        let last = [i("0"), l("0.6.6")];
        assert!(range_hit("0.6.6", &last, Scheme::Semver));
        assert!(!range_hit("0.7.0", &last, Scheme::Semver));
        let debian = [i("0"), f("2.36-9+deb12u3")];
        assert!(range_hit("2.36-9+deb12u1", &debian, Scheme::Dpkg));
        assert!(!range_hit("2.36-9+deb12u14", &debian, Scheme::Dpkg));
        let limited = [i("1.0"), Event::Limit("1.5".into())];
        assert!(range_hit("1.2", &limited, Scheme::Semver));
        assert!(!range_hit("1.6", &limited, Scheme::Semver));
    }

    #[test]
    fn unsorted_events_are_sorted_first() {
        let events = [
            Event::Fixed("2.0.0".into()),
            Event::Introduced("1.0.0".into()),
        ];
        assert!(range_hit("1.5.0", &events, Scheme::Semver));
        assert!(!range_hit("0.5.0", &events, Scheme::Semver));
    }

    /// apk cannot order `5.1p1` and `5.1p2` (no digits after the letter):
    /// the range is unevaluable, neither a hit nor a miss; one it can
    /// order past that point (`5.2`) is evaluated.
    #[test]
    fn a_pair_apk_cannot_order_makes_the_range_unevaluable() {
        let events = [Event::Introduced("0".into()), Event::Fixed("5.1p2".into())];
        let installed = Version::parse(Scheme::Apk, "5.1p1").unwrap();
        let error = in_range(&installed, &events, Scheme::Apk).unwrap_err();
        assert!(error.contains("cannot be ordered by apk"), "{error}");
        let events = [Event::Introduced("0".into()), Event::Fixed("5.2".into())];
        assert_eq!(in_range(&installed, &events, Scheme::Apk), Ok(true));
    }
}
