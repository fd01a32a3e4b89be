//! `hook install`: writes the pre-push hook where git looks for it
//! (`core.hooksPath` honoured). A hook that was already there and is not ours
//! is kept as `pre-push.portcullis-chained` and run first with the same
//! input; installing twice changes nothing.

use std::path::{Path, PathBuf};

use super::git::git_lines;
use super::Error;

/// The line that marks a hook as ours.
const MARKER: &str = "# portcullis pre-push hook";
/// Where a previous hook is kept.
const CHAINED: &str = "pre-push.portcullis-chained";

/// What `install` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub path: PathBuf,
    /// The hook that was there before, now run first.
    pub chained: Option<PathBuf>,
    /// The same hook was already installed.
    pub unchanged: bool,
}

/// Single-quotes `text` for sh.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn script(binary: &Path) -> String {
    format!(
        r#"#!/bin/sh
{MARKER} (written by `portcullis hook install`; edit portcullis.toml, not this file)
# Scans the folders whose lock files or Dockerfile the pushed commits change,
# and blocks the push when the gate fails. Bypass once: git push --no-verify
installed={binary}
PORTCULLIS="${{PORTCULLIS_BIN:-$installed}}"
[ -x "$PORTCULLIS" ] || PORTCULLIS=portcullis
input=$(mktemp) || exit 1
trap 'rm -f "$input"' EXIT
cat > "$input"
chained="$(dirname "$0")/{CHAINED}"
if [ -x "$chained" ]; then
  "$chained" "$@" < "$input" || exit $?
fi
"$PORTCULLIS" hook pre-push "$@" < "$input"
"#,
        binary = sh_quote(&binary.display().to_string()),
    )
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Installs the hook into the repository at `repo`, calling `binary`.
pub fn install(repo: &Path, binary: &Path) -> Result<Installed, Error> {
    let hooks = git_lines(repo, &["rev-parse", "--git-path", "hooks"])?
        .into_iter()
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".git/hooks"));
    let hooks = if hooks.is_absolute() {
        hooks
    } else {
        repo.join(hooks)
    };
    fs_err::create_dir_all(&hooks).map_err(write_error(&hooks))?;
    let path = hooks.join("pre-push");
    let wanted = script(binary);
    let mut chained = None;
    match fs_err::read_to_string(&path) {
        Ok(current) if current == wanted => {
            return Ok(Installed {
                chained: hooks.join(CHAINED).is_file().then(|| hooks.join(CHAINED)),
                path,
                unchanged: true,
            })
        }
        Ok(current) if current.contains(MARKER) => {}
        Ok(_) => {
            let keep = hooks.join(CHAINED);
            fs_err::rename(&path, &keep).map_err(write_error(&keep))?;
            chained = Some(keep);
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(write_error(&path)(error)),
    }
    if chained.is_none() && hooks.join(CHAINED).is_file() {
        chained = Some(hooks.join(CHAINED));
    }
    let temp = hooks.join(".pre-push.portcullis-tmp");
    fs_err::write(&temp, &wanted).map_err(write_error(&temp))?;
    set_executable(&temp)?;
    fs_err::rename(&temp, &path).map_err(write_error(&path))?;
    Ok(Installed {
        path,
        chained,
        unchanged: false,
    })
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt as _;
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(write_error(path))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<(), Error> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_path_is_quoted_for_sh() {
        let text = script(Path::new("/opt/it's here/portcullis"));
        assert!(
            text.contains(r#"installed='/opt/it'\''s here/portcullis'"#),
            "{text}"
        );
        assert!(text.starts_with("#!/bin/sh\n# portcullis pre-push hook"));
    }
}
