//! What later stages and reports know of an opened target: its kind, name,
//! digest and platform, and from its config the layers, the history steps
//! that made them, the user, ports, environment, labels and health check.

use portcullis_model::{Digest, Platform};

use super::{Image, TargetKind};

/// What was scanned.
#[derive(Debug, Clone)]
pub struct TargetSummary {
    pub kind: TargetKind,
    pub reference: String,
    pub manifest_digest: Option<Digest>,
    pub platform: Option<Platform>,
    /// The layers' diff_ids, bottom first (empty for a root filesystem).
    pub layers: Vec<Digest>,
    /// The history step (`created_by`) that made each layer, when known.
    pub layer_commands: Vec<Option<String>>,
    /// The configured user (`None`: root by default).
    pub user: Option<String>,
    pub exposed_ports: Vec<String>,
    pub env: Vec<String>,
    pub labels: Vec<(String, String)>,
    /// Every history step, empty layers included.
    pub history: Vec<String>,
    pub healthcheck: Option<Vec<String>>,
    /// The image manifest's annotations.
    pub annotations: Vec<(String, String)>,
}

impl TargetSummary {
    /// Names a layer for reports: its diff_id, or `rootfs`.
    pub fn layer_label(&self, layer: Option<usize>) -> String {
        match layer.and_then(|index| self.layers.get(index)) {
            Some(diff_id) => diff_id.to_string(),
            None => "rootfs".to_owned(),
        }
    }

    /// The diff_id of layer `index`, when the target has layers.
    pub fn layer_digest(&self, layer: Option<usize>) -> Option<&Digest> {
        layer.and_then(|index| self.layers.get(index))
    }

    /// The history step that made layer `index`, when known.
    pub fn layer_command(&self, layer: Option<usize>) -> Option<&str> {
        layer
            .and_then(|index| self.layer_commands.get(index))
            .and_then(Option::as_deref)
    }

    /// Whether the image runs as root: no user, or user `0`/`root` (a folder
    /// or an SBOM runs as nobody).
    pub fn runs_as_root(&self) -> bool {
        if matches!(self.kind, TargetKind::Dir | TargetKind::Sbom) {
            return false;
        }
        match self
            .user
            .as_deref()
            .map(|u| u.split(':').next().unwrap_or(u).trim())
        {
            None | Some("" | "0" | "root") => true,
            Some(_) => false,
        }
    }
}

impl Image {
    /// What reports and policies know of this image.
    pub fn summary(&self) -> TargetSummary {
        TargetSummary {
            kind: self.kind,
            reference: self.reference.clone(),
            manifest_digest: self.manifest_digest.clone(),
            platform: self.platform.clone(),
            layers: self.config.diff_ids.clone(),
            layer_commands: self.config.layer_commands.clone(),
            user: self.config.user.clone(),
            exposed_ports: self.config.exposed_ports.clone(),
            env: self.config.env.clone(),
            labels: self.config.labels.clone(),
            history: self.config.history.clone(),
            healthcheck: self.config.healthcheck.clone(),
            annotations: self.config.annotations.clone(),
        }
    }
}
