//! JUnit XML, as Jenkins' `junit`, GitLab and TeamCity's XML report import
//! read it: one test case per finding, per policy violation and per part
//! the analysis could not evaluate. A finding a failing policy named is a
//! `<failure>`; a suppressed one is `<skipped>`; a policy that could not
//! decide is an `<error>`; a part not evaluated is an `<error>` when it left
//! the gate undecided and `<skipped>` when `--allow-partial` accepted it.

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::entries::{self, Counts, Entry};
use super::RenderConfig;
use portcullis_policy::{Decision, Verdict};
use portcullis_scan::Report;

/// What one test case reports.
enum Outcome {
    Passed,
    Failure { message: String, kind: String },
    Error { message: String },
    Skipped { message: String },
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
    details: String,
}

struct Suite {
    name: String,
    properties: Vec<(String, String)>,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| f(&c.outcome)).count()
    }
}

/// XML 1.0 cannot carry most control characters, even escaped.
fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
        })
        .collect()
}

fn finding_case(entry: &Entry<'_>) -> Case {
    let classname = match &entry.package {
        Some(p) => format!(
            "portcullis.{}.{}",
            p.ecosystem.as_deref().unwrap_or("unknown"),
            p.name
        ),
        None => format!("portcullis.{}", entry.kind.name()),
    };
    let outcome = if let Some(s) = entry.suppressed {
        Outcome::Skipped {
            message: format!("suppressed by {} ({}): {}", s.kind, s.source, s.reason),
        }
    } else if entry.failed_gate {
        Outcome::Failure {
            message: entry.message(),
            kind: entry.severity.name().to_owned(),
        }
    } else {
        Outcome::Passed
    };
    let mut details = entry.message();
    details.push_str(&format!("\nTitle: {}", entry.title));
    if let Some(step) = entry.location.created_by {
        details.push_str(&format!("\nLayer made by: {step}"));
    }
    if let Some(uri) = &entry.help_uri {
        details.push_str(&format!("\nDetails: {uri}"));
    }
    Case {
        classname,
        name: format!("{} in {}", entry.rule_id, entry.subject()),
        outcome,
        details,
    }
}

fn policy_cases(decision: &Decision) -> Vec<Case> {
    let classname = format!("portcullis.policy.{}", decision.module);
    if decision.violations.is_empty() {
        return vec![Case {
            classname,
            name: decision.module.clone(),
            outcome: Outcome::Passed,
            details: format!("{}: {}", decision.module, decision.verdict.name()),
        }];
    }
    decision
        .violations
        .iter()
        .map(|v| {
            let message = format!("{}: {}", v.rule, v.message);
            Case {
                classname: classname.clone(),
                name: format!("{}: {}", decision.module, v.rule),
                outcome: match decision.verdict {
                    Verdict::Fail => Outcome::Failure {
                        message: message.clone(),
                        kind: v.severity.to_string(),
                    },
                    Verdict::Error => Outcome::Error {
                        message: message.clone(),
                    },
                    Verdict::Warn | Verdict::Pass => Outcome::Passed,
                },
                details: format!("{message}\nFindings: {}", v.findings.join(", ")),
            }
        })
        .collect()
}

fn diagnostic_cases(report: &Report) -> Vec<Case> {
    report
        .diagnostics()
        .into_iter()
        .map(|diagnostic| {
            let message = format!("not evaluated: {}", diagnostic.message);
            Case {
                classname: "portcullis.analysis".to_owned(),
                name: diagnostic.path.clone(),
                outcome: match report.verdict {
                    Verdict::Error => Outcome::Error {
                        message: message.clone(),
                    },
                    Verdict::Fail | Verdict::Warn | Verdict::Pass => Outcome::Skipped {
                        message: message.clone(),
                    },
                },
                details: format!("{}: {message}", diagnostic.path),
            }
        })
        .collect()
}

fn write_case(writer: &mut Writer<Vec<u8>>, case: &Case) -> std::io::Result<()> {
    let element = writer
        .create_element("testcase")
        .with_attribute(("classname", xml_safe(&case.classname).as_str()))
        .with_attribute(("name", xml_safe(&case.name).as_str()));
    let details = xml_safe(&case.details);
    element.write_inner_content(|w| {
        match &case.outcome {
            Outcome::Passed => {
                w.create_element("system-out")
                    .write_text_content(BytesText::new(&details))?;
            }
            Outcome::Failure { message, kind } => {
                w.create_element("failure")
                    .with_attribute(("message", xml_safe(message).as_str()))
                    .with_attribute(("type", xml_safe(kind).as_str()))
                    .write_text_content(BytesText::new(&details))?;
            }
            Outcome::Error { message } => {
                w.create_element("error")
                    .with_attribute(("message", xml_safe(message).as_str()))
                    .with_attribute(("type", "policy-error"))
                    .write_text_content(BytesText::new(&details))?;
            }
            Outcome::Skipped { message } => {
                w.create_element("skipped")
                    .with_attribute(("message", xml_safe(message).as_str()))
                    .write_empty()?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn write_suite(writer: &mut Writer<Vec<u8>>, suite: &Suite) -> std::io::Result<()> {
    writer
        .create_element("testsuite")
        .with_attribute(("name", xml_safe(&suite.name).as_str()))
        .with_attribute(("tests", suite.cases.len().to_string().as_str()))
        .with_attribute((
            "failures",
            suite
                .count(|o| matches!(o, Outcome::Failure { .. }))
                .to_string()
                .as_str(),
        ))
        .with_attribute((
            "errors",
            suite
                .count(|o| matches!(o, Outcome::Error { .. }))
                .to_string()
                .as_str(),
        ))
        .with_attribute((
            "skipped",
            suite
                .count(|o| matches!(o, Outcome::Skipped { .. }))
                .to_string()
                .as_str(),
        ))
        .write_inner_content(|w| {
            if !suite.properties.is_empty() {
                w.create_element("properties").write_inner_content(|w| {
                    for (name, value) in &suite.properties {
                        w.create_element("property")
                            .with_attribute(("name", name.as_str()))
                            .with_attribute(("value", xml_safe(value).as_str()))
                            .write_empty()?;
                    }
                    Ok(())
                })?;
            }
            for case in &suite.cases {
                write_case(w, case)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Renders `report` as a JUnit XML document.
pub(super) fn render(report: &Report, config: &RenderConfig) -> std::io::Result<String> {
    let all = entries::entries(report);
    let counts = Counts::of(&all);
    let target = &report.target.reference;
    let mut properties = vec![
        ("verdict".to_owned(), report.verdict.name().to_owned()),
        ("target".to_owned(), target.clone()),
    ];
    properties.extend(
        counts
            .by_severity()
            .iter()
            .map(|(name, n)| ((*name).to_owned(), n.to_string())),
    );
    let mut suites = vec![
        Suite {
            name: format!("portcullis findings: {target}"),
            properties,
            cases: all.iter().map(finding_case).collect(),
        },
        Suite {
            name: format!("portcullis policies: {target}"),
            properties: Vec::new(),
            cases: report.decisions.iter().flat_map(policy_cases).collect(),
        },
    ];
    let not_evaluated = diagnostic_cases(report);
    if !not_evaluated.is_empty() {
        suites.push(Suite {
            name: format!("portcullis analysis: {target}"),
            properties: Vec::new(),
            cases: not_evaluated,
        });
    }
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let total = |f: &dyn Fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>().to_string();
    writer
        .create_element("testsuites")
        .with_attribute(("name", "portcullis"))
        .with_attribute(("tests", total(&|s| s.cases.len()).as_str()))
        .with_attribute((
            "failures",
            total(&|s| s.count(|o| matches!(o, Outcome::Failure { .. }))).as_str(),
        ))
        .with_attribute((
            "errors",
            total(&|s| s.count(|o| matches!(o, Outcome::Error { .. }))).as_str(),
        ))
        .with_attribute((
            "skipped",
            total(&|s| s.count(|o| matches!(o, Outcome::Skipped { .. }))).as_str(),
        ))
        .with_attribute(("timestamp", config.created.as_str()))
        .write_inner_content(|w| {
            for suite in &suites {
                write_suite(w, suite)?;
            }
            Ok(())
        })?;
    let mut text = String::from_utf8(writer.into_inner())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(xml_safe("a\u{1b}[31mb\tc\u{0}"), "a[31mb\tc");
    }
}
