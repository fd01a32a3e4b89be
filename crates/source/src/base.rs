//! Where the image an image was built on is named: the OCI annotations (or
//! labels) `org.opencontainers.image.base.name` / `.base.digest` that builders
//! write, or the last `FROM` of the Dockerfile that built it, with its `ARG`s
//! resolved as the builder would (global `ARG` defaults, then `--build-arg`).

use std::path::Path;

use super::dockerfile::{self, DockerfileError};
use super::TargetSummary;

/// The annotation (or label) naming the base image.
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// The annotation (or label) pinning the base image's manifest digest.
pub const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// How the base image was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseFoundBy {
    /// `--base TARGET`.
    Flag,
    /// The image manifest's annotations.
    Annotation,
    /// The image config's labels.
    Label,
    /// The last `FROM` of a Dockerfile: its path and 1-based line.
    Dockerfile { path: String, line: usize },
}

impl BaseFoundBy {
    /// One word for reports: `flag`, `annotation`, `label`, `dockerfile`.
    pub fn name(&self) -> &'static str {
        match self {
            BaseFoundBy::Flag => "flag",
            BaseFoundBy::Annotation => "annotation",
            BaseFoundBy::Label => "label",
            BaseFoundBy::Dockerfile { .. } => "dockerfile",
        }
    }
}

/// A base image as a target to open, and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseName {
    pub target: String,
    pub found_by: BaseFoundBy,
}

/// The base named by `target`'s annotations, else its labels.
pub fn base_from_metadata(target: &TargetSummary) -> Option<BaseName> {
    [
        (&target.annotations, BaseFoundBy::Annotation),
        (&target.labels, BaseFoundBy::Label),
    ]
    .into_iter()
    .find_map(|(pairs, found_by)| {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let target = pinned(get(BASE_NAME)?, get(BASE_DIGEST));
        Some(BaseName { target, found_by })
    })
}

/// `name` pinned to `digest` when there is one: `name@digest`, the tag
/// dropped (a digest names one manifest; a tag beside it would be ignored).
fn pinned(name: &str, digest: Option<&str>) -> String {
    let Some(digest) = digest else {
        return name.to_owned();
    };
    if name.contains('@') {
        return name.to_owned();
    }
    let repository = match name.rsplit_once('/') {
        Some((host_and_path, last)) => match last.split_once(':') {
            Some((last, _tag)) => format!("{host_and_path}/{last}"),
            None => name.to_owned(),
        },
        None => name.split(':').next().unwrap_or(name).to_owned(),
    };
    format!("{repository}@{digest}")
}

/// The base of the last stage of the Dockerfile at `path`: its `FROM`, a
/// stage name followed to the stage it names, `ARG`s resolved from
/// `build_args` (`KEY=VALUE`) and the global `ARG` defaults. `None` for
/// `FROM scratch`.
pub fn base_from_dockerfile(
    path: &Path,
    build_args: &[(String, String)],
) -> Result<Option<BaseName>, DockerfileError> {
    let (shown, instructions) = dockerfile::read(path)?;
    let malformed = |why: String| DockerfileError::Malformed {
        path: shown.clone(),
        why,
    };
    // Global ARGs: those before the first FROM, a build argument overriding the default.
    let mut args: Vec<(String, Option<String>)> = Vec::new();
    for instruction in instructions.iter().take_while(|i| i.keyword != "FROM") {
        if instruction.keyword != "ARG" {
            continue;
        }
        for declared in instruction.text.split_whitespace().skip(1) {
            let (name, default) = match declared.split_once('=') {
                Some((name, value)) => (name, Some(unquote(value).to_owned())),
                None => (declared, None),
            };
            let given = build_args
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone());
            args.push((name.to_owned(), given.or(default)));
        }
    }
    // Each stage: (name, image, line).
    let mut stages: Vec<(Option<String>, String, usize)> = Vec::new();
    for instruction in instructions.iter().filter(|i| i.keyword == "FROM") {
        let words: Vec<&str> = instruction
            .text
            .split_whitespace()
            .skip(1)
            .filter(|w| !w.starts_with("--"))
            .collect();
        let Some(image) = words.first() else {
            return Err(malformed(format!(
                "the FROM on line {} names no image",
                instruction.line
            )));
        };
        let image = expand(image, &args).map_err(|name| {
            let declared = args.iter().any(|(arg, _)| *arg == name);
            let remedy = if declared {
                format!("give it with --build-arg {name}=VALUE")
            } else {
                format!("declare it with `ARG {name}` before the first FROM, as docker build needs")
            };
            malformed(format!(
                "the FROM on line {} uses `${name}`, which has no value: {remedy}",
                instruction.line
            ))
        })?;
        let name = match (words.get(1), words.get(2)) {
            (Some(as_), Some(name)) if as_.eq_ignore_ascii_case("as") => {
                Some(name.to_ascii_lowercase())
            }
            _ => None,
        };
        stages.push((name, image, instruction.line));
    }
    // Follow stage names down to an image (each FROM may only name an earlier stage).
    let mut at = stages
        .len()
        .checked_sub(1)
        .ok_or_else(|| malformed("it has no FROM instruction".to_owned()))?;
    loop {
        let Some((_, image, line)) = stages.get(at) else {
            return Err(malformed(
                "a FROM names a stage that is not there".to_owned(),
            ));
        };
        let lowered = image.to_ascii_lowercase();
        if let Some(earlier) = stages
            .iter()
            .take(at)
            .rposition(|(name, _, _)| name.as_deref() == Some(lowered.as_str()))
        {
            at = earlier;
            continue;
        }
        if lowered == "scratch" {
            return Ok(None);
        }
        return Ok(Some(BaseName {
            target: image.clone(),
            found_by: BaseFoundBy::Dockerfile {
                path: shown,
                line: *line,
            },
        }));
    }
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-word}` and `${NAME:+word}` from
/// `args`; `Err(name)` for a variable with no value and no default.
fn expand(text: &str, args: &[(String, Option<String>)]) -> Result<String, String> {
    let value = |name: &str| {
        args.iter()
            .rev()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 1..).unwrap_or_default();
        if let Some(braced) = after.strip_prefix('{') {
            let Some(end) = braced.find('}') else {
                return Err(braced.to_owned());
            };
            let inner = braced.get(..end).unwrap_or_default();
            let (name, operator, word) = match inner.find(":-").or_else(|| inner.find(":+")) {
                Some(i) => (
                    inner.get(..i).unwrap_or_default(),
                    inner.get(i..i + 2).unwrap_or_default(),
                    inner.get(i + 2..).unwrap_or_default(),
                ),
                None => (inner, "", ""),
            };
            let found = value(name).filter(|v| !v.is_empty() || operator.is_empty());
            match (operator, found) {
                (":-", Some(v)) | ("", Some(v)) => out.push_str(&v),
                (":-", None) => out.push_str(word),
                (":+", Some(_)) => out.push_str(word),
                (":+", None) => {}
                _ => return Err(name.to_owned()),
            }
            rest = braced.get(end + 1..).unwrap_or_default();
        } else {
            let length = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = after.get(..length).unwrap_or_default();
            if name.is_empty() {
                out.push('$');
            } else {
                out.push_str(&value(name).ok_or_else(|| name.to_owned())?);
            }
            rest = after.get(length..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_of(text: &str, build_args: &[(&str, &str)]) -> Result<Option<String>, String> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("Dockerfile");
        fs_err::write(&path, text).expect("write");
        let args: Vec<(String, String)> = build_args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        base_from_dockerfile(&path, &args)
            .map(|found| found.map(|b| b.target))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_last_from_with_its_args_and_stages() {
        let multi = "ARG DEBIAN=12.5\nFROM golang:1.22 AS build\nRUN go build\n\
                     FROM debian:${DEBIAN}-slim AS runtime\nCOPY --from=build /a /a\n\
                     FROM runtime\nUSER 1000\n";
        assert_eq!(base_of(multi, &[]), Ok(Some("debian:12.5-slim".to_owned())));
        assert_eq!(
            base_of(multi, &[("DEBIAN", "12.8")]),
            Ok(Some("debian:12.8-slim".to_owned()))
        );
        assert_eq!(
            base_of(
                "ARG REG\nARG TAG\nFROM --platform=linux/amd64 ${REG:-docker.io}/library/alpine:$TAG\n",
                &[("TAG", "3.20")]
            ),
            Ok(Some("docker.io/library/alpine:3.20".to_owned()))
        );
        assert_eq!(base_of("FROM scratch\nCOPY app /app\n", &[]), Ok(None));
        let unset = base_of("ARG TAG\nFROM debian:$TAG\n", &[]).expect_err("no value");
        assert!(unset.contains("--build-arg TAG=VALUE"), "{unset}");
        // Docker reads a build argument in FROM only when a global ARG declares it.
        let undeclared = base_of("FROM debian:$TAG\n", &[("TAG", "12")]).expect_err("undeclared");
        assert!(
            undeclared.contains("`ARG TAG` before the first FROM"),
            "{undeclared}"
        );
    }

    #[test]
    fn the_annotation_pins_the_name_to_its_digest() {
        let digest = "sha256:".to_owned() + &"a".repeat(64);
        assert_eq!(
            pinned("debian:12", Some(&digest)),
            format!("debian@{digest}")
        );
        assert_eq!(
            pinned("127.0.0.1:5000/base/slim:1", Some(&digest)),
            format!("127.0.0.1:5000/base/slim@{digest}")
        );
        assert_eq!(pinned("127.0.0.1:5000/slim", None), "127.0.0.1:5000/slim");
    }
}
