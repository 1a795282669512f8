//! The drafts file's own thread: reads the drafts an earlier session left
//! (sent back as [`Reply::Drafts`]) and then writes every change to them,
//! in order, so that typing never waits for the disk and never for the
//! review record's write lock (a long import holds it).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, channel};

use super::{Event, Outbox, Reply, WorkerMode};
use crate::drafts::DraftFile;
use crate::ui::drafts::DraftOp;

/// Writes drafts to the drafts file.
pub(super) struct DraftWriter {
    path: PathBuf,
    sender: Option<Sender<DraftOp>>,
    handle: Option<std::thread::JoinHandle<()>>,
    /// Inline mode: the file, written on the calling thread.
    inline: Option<Result<DraftFile, String>>,
}

impl DraftWriter {
    /// Opens the drafts file at `path` and reads it: on a thread of its own
    /// (threaded mode), or now, with the reply queued in `inline_events`.
    pub fn start(
        mode: WorkerMode,
        path: &Path,
        outbox: &Outbox,
        inline_events: &mut std::collections::VecDeque<Event>,
    ) -> DraftWriter {
        let mut writer = DraftWriter {
            path: path.to_owned(),
            sender: None,
            handle: None,
            inline: None,
        };
        match mode {
            WorkerMode::Inline => {
                let file = DraftFile::open(path);
                inline_events.push_back(Event::Drafts(Reply::Drafts(
                    file.as_ref().map_err(Clone::clone).and_then(DraftFile::all),
                )));
                writer.inline = Some(file);
            }
            WorkerMode::Threaded => {
                let (sender, ops) = channel::<DraftOp>();
                let outbox = outbox.clone();
                let path = path.to_owned();
                let spawned = std::thread::Builder::new()
                    .name("tickmark-drafts".to_owned())
                    .spawn(move || {
                        let file = DraftFile::open(&path);
                        let loaded = file.as_ref().map_err(Clone::clone).and_then(DraftFile::all);
                        outbox.send(Event::Drafts(Reply::Drafts(loaded)));
                        let Ok(file) = file else {
                            return;
                        };
                        for op in ops {
                            if let Err(message) = write(&file, &op) {
                                outbox.send(Event::Drafts(Reply::Failed {
                                    action: "Keeping the draft on disk".to_owned(),
                                    message,
                                }));
                            }
                        }
                    });
                match spawned {
                    Ok(handle) => {
                        writer.sender = Some(sender);
                        writer.handle = Some(handle);
                    }
                    Err(e) => {
                        inline_events.push_back(Event::Drafts(Reply::Drafts(Err(format!(
                            "cannot start the drafts thread: {e}"
                        )))));
                    }
                }
            }
        }
        writer
    }

    /// The drafts file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one change (inline: now; threaded: in order, soon). A
    /// failure is reported as [`Reply::Failed`].
    pub fn send(&mut self, op: DraftOp, inline_events: &mut std::collections::VecDeque<Event>) {
        if let Some(sender) = &self.sender {
            // The thread ended only if the file could not be opened, which
            // was reported when it was read.
            let _ = sender.send(op);
            return;
        }
        if self.inline.is_none() && self.handle.is_none() {
            // After `finish` (the app is closing): write on this thread.
            self.inline = Some(DraftFile::open(&self.path));
        }
        if let Some(Ok(file)) = &self.inline
            && let Err(message) = write(file, &op)
        {
            inline_events.push_back(Event::Drafts(Reply::Failed {
                action: "Keeping the draft on disk".to_owned(),
                message,
            }));
        }
    }

    /// Waits until every change sent so far is on disk (the app is
    /// closing).
    pub fn finish(&mut self) {
        self.sender = None;
        if let Some(handle) = self.handle.take()
            && handle.join().is_err()
        {
            log::error!("the drafts thread panicked while writing");
        }
    }
}

fn write(file: &DraftFile, op: &DraftOp) -> Result<(), String> {
    match op {
        DraftOp::Put(draft) => file.put(draft),
        DraftOp::Remove {
            assessment,
            requirement,
            field,
        } => file.remove(*assessment, requirement, field),
    }
}
