//! Collecting the evidence: the collection plan as data ([`plan`]), running
//! it with the user's own `az` and `kubectl` ([`collect`]), and printing it
//! as a bash or PowerShell script that does the same ([`script`]).
//!
//! Both write the same folder: one file per collected step, and a
//! [`CollectionManifest`](crate::evidence::custody::CollectionManifest)
//! (`collection-manifest.json`) recording, for each step, the exact command
//! line, the tool and its version, the account, tenant and Kubernetes
//! context in use, start and end times, exit code and the file's SHA-256.
//! Importing the folder reads the manifest into each file's chain of
//! custody (see [`crate::evidence::custody`]).
//!
//! Credentials are never asked for, read or stored: the tools use the
//! sign-in and kubeconfig the user already has.

pub mod plan;
mod run;
pub mod script;

pub use plan::{Output, Plan, ProvidedBy, Step, builtin, export_command, shell_quote};
pub use run::{CollectError, Options, Progress, Target, collect};
