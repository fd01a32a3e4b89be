//! `--dockerfile FILE`: which Dockerfile instruction made each layer.
//!
//! The final stage's layer-making instructions (`RUN`, `COPY`, `ADD`, and
//! `WORKDIR` when the history says so) are matched to the image history's
//! layers from the top down, as both end with the last instruction; layers
//! below the matched ones came with the base image and are attributed to the
//! stage's `FROM` line.

use std::path::Path;

/// A Dockerfile instruction a layer is attributed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerfileStep {
    /// The Dockerfile as the user named it (relative to the repository root).
    pub path: String,
    /// 1-based line of the instruction's keyword.
    pub line: usize,
    /// The instruction as written, continuation lines joined.
    pub instruction: String,
}

/// Why a Dockerfile could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DockerfileError {
    #[error("could not read the Dockerfile `{path}`")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a Dockerfile: {why}")]
    Malformed { path: String, why: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instruction {
    /// Upper case: `FROM`, `RUN`…
    pub(crate) keyword: String,
    pub(crate) line: usize,
    /// The instruction as written, continuation lines joined.
    pub(crate) text: String,
}

/// Reads and parses the Dockerfile at `path`, with the path as it is shown.
pub(crate) fn read(path: &Path) -> Result<(String, Vec<Instruction>), DockerfileError> {
    let shown = shown_path(path);
    let text = fs_err::read_to_string(path).map_err(|source| DockerfileError::Io {
        path: shown.clone(),
        source,
    })?;
    let instructions = parse(&text).map_err(|why| DockerfileError::Malformed {
        path: shown.clone(),
        why,
    })?;
    Ok((shown, instructions))
}

/// Reads `path` and attributes each of `layer_commands` (the history's
/// `created_by` per layer, bottom first) to an instruction.
pub fn attribute_layers(
    path: &Path,
    layer_commands: &[Option<String>],
) -> Result<Vec<Option<DockerfileStep>>, DockerfileError> {
    let (shown, instructions) = read(path)?;
    Ok(align(&instructions, layer_commands)
        .into_iter()
        .map(|found| {
            found.map(|i| DockerfileStep {
                path: shown.clone(),
                line: i.line,
                instruction: i.text.clone(),
            })
        })
        .collect())
}

/// The path relative to the working directory when it is below it.
fn shown_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    relative
        .to_string_lossy()
        .trim_start_matches("./")
        .to_owned()
}

/// Splits a Dockerfile into instructions: comments and parser directives
/// skipped, continuation lines joined, heredoc bodies folded into their
/// instruction.
fn parse(text: &str) -> Result<Vec<Instruction>, String> {
    let mut escape = '\\';
    let mut instructions = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    let mut in_preamble = true;
    while let Some((index, raw)) = lines.next() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if in_preamble {
                if let Some((key, value)) = comment.split_once('=') {
                    if key.trim().eq_ignore_ascii_case("escape") {
                        escape = value.trim().chars().next().unwrap_or('\\');
                    }
                }
            }
            continue;
        }
        in_preamble = false;
        let mut joined = line.to_owned();
        while joined.ends_with(escape) {
            joined.pop();
            // Comment lines inside a continuation are dropped, as Docker does.
            let Some((_, next)) = lines.next() else { break };
            let next = next.trim();
            if !next.starts_with('#') {
                joined.push(' ');
                joined.push_str(next);
            } else {
                joined.push(escape);
            }
        }
        if let Some(marker) = heredoc_marker(&joined) {
            for (_, body) in lines.by_ref() {
                if body.trim() == marker {
                    break;
                }
                joined.push('\n');
                joined.push_str(body);
            }
        }
        let keyword: String = joined
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        if !keyword.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "line {} does not start with an instruction",
                index + 1
            ));
        }
        instructions.push(Instruction {
            keyword,
            line: index + 1,
            text: joined,
        });
    }
    if !instructions.iter().any(|i| i.keyword == "FROM") {
        return Err("it has no FROM instruction".to_owned());
    }
    Ok(instructions)
}

/// `RUN <<EOF` or `COPY <<-EOT /x`: the heredoc's end marker.
fn heredoc_marker(instruction: &str) -> Option<String> {
    let at = instruction.find("<<")?;
    let rest = instruction.get(at + 2..)?.trim_start_matches('-');
    let word: String = rest
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// What a history `created_by` says about the instruction that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    Keyword(&'static str),
    /// A shell command without a keyword: the classic builder's `RUN`.
    Shell,
    Unknown,
}

fn made_by(created_by: Option<&str>) -> Made {
    let Some(text) = created_by else {
        return Made::Unknown;
    };
    let text = text.trim();
    let text = text.strip_suffix("# buildkit").unwrap_or(text).trim();
    let (shell, text) = match text.strip_prefix("/bin/sh -c ") {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    let text = text.strip_prefix("#(nop)").map_or(text, str::trim);
    let first = text.split_whitespace().next().unwrap_or_default();
    for keyword in ["RUN", "COPY", "ADD", "WORKDIR"] {
        if first == keyword {
            return Made::Keyword(keyword);
        }
    }
    if shell {
        Made::Shell
    } else {
        Made::Unknown
    }
}

/// Matches layers to the final stage's instructions from the top down.
fn align<'a>(
    instructions: &'a [Instruction],
    layer_commands: &[Option<String>],
) -> Vec<Option<&'a Instruction>> {
    let stage_start = instructions
        .iter()
        .rposition(|i| i.keyword == "FROM")
        .unwrap_or(0);
    let from = instructions.get(stage_start);
    let stage = instructions.get(stage_start + 1..).unwrap_or_default();
    let mut cursor = stage.len();
    let mut result = vec![None; layer_commands.len()];
    let mut matched_all = true;
    for (layer, created_by) in layer_commands.iter().enumerate().rev() {
        let made = made_by(created_by.as_deref());
        let mut found = None;
        while cursor > 0 {
            cursor -= 1;
            let Some(candidate) = stage.get(cursor) else {
                break;
            };
            let keyword = candidate.keyword.as_str();
            let fits = match made {
                Made::Keyword(k) => k == keyword,
                Made::Shell => keyword == "RUN",
                Made::Unknown => matches!(keyword, "RUN" | "COPY" | "ADD"),
            };
            if fits {
                found = Some(candidate);
                break;
            }
            // WORKDIR often makes no layer; anything else that makes one must match.
            if matches!(keyword, "RUN" | "COPY" | "ADD") {
                matched_all = false;
                break;
            }
        }
        match found {
            Some(instruction) => result[layer] = Some(instruction),
            None => {
                // Below the stage's first instruction: the base image.
                if matched_all && cursor == 0 {
                    for slot in result.iter_mut().take(layer + 1) {
                        *slot = from;
                    }
                }
                break;
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKERFILE: &str = "# syntax=docker/dockerfile:1\n\
FROM golang:1.22 AS build\n\
RUN go build -o /out/app .\n\
\n\
FROM debian:bookworm-slim\n\
# install the runtime\n\
RUN apt-get update && \\\n    apt-get install -y ca-certificates\n\
WORKDIR /app\n\
COPY --from=build /out/app /app/app\n\
USER 1000\n\
CMD [\"/app/app\"]\n";

    fn commands(list: &[&str]) -> Vec<Option<String>> {
        list.iter().map(|c| Some((*c).to_owned())).collect()
    }

    #[test]
    fn parse_joins_continuations_and_skips_comments() {
        let parsed = parse(DOCKERFILE).expect("parses");
        let run = parsed.iter().find(|i| i.line == 7).expect("line 7");
        assert_eq!(run.keyword, "RUN");
        assert!(run.text.contains("apt-get install -y ca-certificates"));
        assert_eq!(parsed.iter().filter(|i| i.keyword == "FROM").count(), 2);
    }

    #[test]
    fn buildkit_history_aligns_from_the_top_and_base_layers_go_to_from() {
        let parsed = parse(DOCKERFILE).expect("parses");
        let layers = commands(&[
            "# debian.sh --arch amd64 out/ bookworm '@1700000000'",
            "RUN /bin/sh -c apt-get update &&     apt-get install -y ca-certificates # buildkit",
            "COPY /out/app /app/app # buildkit",
        ]);
        let lines: Vec<Option<usize>> = align(&parsed, &layers)
            .into_iter()
            .map(|i| i.map(|i| i.line))
            .collect();
        assert_eq!(lines, vec![Some(5), Some(7), Some(10)]);
    }

    #[test]
    fn classic_builder_history_with_workdir_layer() {
        let parsed = parse(DOCKERFILE).expect("parses");
        let layers = commands(&[
            "/bin/sh -c #(nop) ADD file:abc in / ",
            "/bin/sh -c apt-get update && apt-get install -y ca-certificates",
            "WORKDIR /app",
            "/bin/sh -c #(nop) COPY file:def in /app/app ",
        ]);
        let lines: Vec<Option<usize>> = align(&parsed, &layers)
            .into_iter()
            .map(|i| i.map(|i| i.line))
            .collect();
        assert_eq!(lines, vec![Some(5), Some(7), Some(9), Some(10)]);
    }

    #[test]
    fn a_history_that_does_not_fit_is_not_guessed() {
        let parsed = parse(DOCKERFILE).expect("parses");
        let layers = commands(&[
            "/bin/sh -c #(nop) ADD file:abc in / ",
            "RUN make # buildkit",
        ]);
        let lines: Vec<Option<usize>> = align(&parsed, &layers)
            .into_iter()
            .map(|i| i.map(|i| i.line))
            .collect();
        assert_eq!(lines, vec![None, None]);
    }

    #[test]
    fn heredocs_and_missing_from() {
        let parsed =
            parse("FROM alpine\nRUN <<EOF\napk add curl\nEOF\nCOPY a /a\n").expect("parses");
        assert_eq!(
            parsed
                .iter()
                .map(|i| (i.keyword.as_str(), i.line))
                .collect::<Vec<_>>(),
            vec![("FROM", 1), ("RUN", 2), ("COPY", 5)]
        );
        assert!(parse("RUN true\n").is_err());
        assert!(parse("FROM x\n{\"not\": \"a dockerfile\"}\n").is_err());
    }
}
