//! How the reviewer signs, in the review pane and the approval dialog: for
//! a profile with a registered SSH key, through the running ssh-agent or
//! with the private key file and its passphrase (sent to the worker once,
//! then cleared; never saved); for a profile without a key, a plain word
//! that what they record is unsigned.

use egui::{RichText, Ui};

use super::theme::Palette;
use super::worker::SignWith;
use crate::signing::Agent;
use crate::store::Profile;

/// What the reviewer chose and typed.
#[derive(Clone, Default)]
pub struct SigningForm {
    /// Sign through ssh-agent (else with the key file).
    pub use_agent: bool,
    /// The private key file.
    pub key_path: String,
    /// Its passphrase, until it is used.
    pub passphrase: String,
}

impl std::fmt::Debug for SigningForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningForm")
            .field("use_agent", &self.use_agent)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl SigningForm {
    /// Through the agent when one runs here, else with a key file.
    pub fn new() -> SigningForm {
        SigningForm {
            use_agent: Agent::available(),
            ..SigningForm::default()
        }
    }

    /// Why `profile` cannot sign as chosen yet (a key file not named), if so.
    pub fn missing(&self, profile: Option<&Profile>) -> Option<&'static str> {
        let has_key = profile.is_some_and(|p| p.key.is_some());
        (has_key && !self.use_agent && self.key_path.trim().is_empty())
            .then_some("Name your private key file, or sign with ssh-agent")
    }

    /// What the worker signs with, for `profile` (`None` without a key);
    /// the passphrase is taken out of the form.
    pub fn take(&mut self, profile: Option<&Profile>) -> Option<SignWith> {
        profile.and_then(|p| p.key.as_ref())?;
        let passphrase = std::mem::take(&mut self.passphrase);
        Some(if self.use_agent {
            SignWith::Agent
        } else {
            SignWith::KeyFile {
                path: expand_home(self.key_path.trim()),
                passphrase,
            }
        })
    }

    /// The fields: how to sign with `profile`'s key, or that it has none.
    /// `id` keeps two forms on screen apart.
    pub fn ui(&mut self, ui: &mut Ui, profile: Option<&Profile>, id: &str) {
        let palette = Palette::of(ui);
        let Some(profile) = profile else {
            return;
        };
        let Some(key) = &profile.key else {
            ui.label(
                RichText::new(format!(
                    "{} has no signing key: this is recorded unsigned (register an SSH key under Profiles to sign).",
                    profile.name
                ))
                .small()
                .color(palette.partial),
            );
            return;
        };
        ui.label(
            RichText::new(format!(
                "Signed with {}'s key {}",
                profile.name, key.fingerprint
            ))
            .small(),
        );
        ui.horizontal(|ui| {
            let agent = Agent::available();
            ui.add_enabled_ui(agent, |ui| {
                ui.radio_value(&mut self.use_agent, true, "ssh-agent")
                    .on_disabled_hover_text("No ssh-agent runs here (SSH_AUTH_SOCK is not set)");
            });
            ui.radio_value(&mut self.use_agent, false, "Private key file");
        });
        if !self.use_agent {
            egui::Grid::new(("signing-fields", id))
                .num_columns(2)
                .show(ui, |ui| {
                    let label = ui.label("Key file");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.key_path)
                            .hint_text("~/.ssh/id_ed25519")
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label("Passphrase");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.passphrase)
                            .password(true)
                            .hint_text("if the key has one; not kept")
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                });
        }
    }
}

/// `~/x` as the home folder's `x`.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (
        path.strip_prefix("~/"),
        directories::BaseDirs::new().map(|d| d.home_dir().to_owned()),
    ) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => path.into(),
    }
}
