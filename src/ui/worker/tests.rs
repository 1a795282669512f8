use super::*;
use crate::store::NewAssessment;

fn shared(db: &Path) -> Shared {
    Shared {
        db_path: db.to_owned(),
        settings: Settings::default(),
    }
}

fn assessment(store: &mut Store) -> Assessment {
    let today = chrono::Utc::now().date_naive();
    store
        .create_assessment(
            &Actor::os_user_only(),
            &NewAssessment {
                name: "Q".into(),
                cluster: "c".into(),
                period_start: today,
                period_end: today,
                catalog_id: "pci-dss-3.2.1".into(),
            },
        )
        .unwrap()
}

#[test]
fn an_import_reports_progress_stops_between_files_when_cancelled_and_still_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let a = assessment(&mut store);
    let azure = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/azure"));
    let cancel = AtomicBool::new(false);
    let heard = std::cell::RefCell::new(Vec::new());
    let progress = |done: usize, total: usize, current: String| {
        heard.borrow_mut().push((done, total, current));
        if done == 2 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let report = jobs::run(
        &mut store,
        &shared(&db),
        Job::Import {
            actor: Actor::os_user_only(),
            assessment: a.id,
            paths: vec![azure],
        },
        &progress,
        &cancel,
    );
    let Reply::Imported(report) = report else {
        panic!("not an import report: {report:?}");
    };
    assert!(report.cancelled);
    assert_eq!(report.files.len(), 3, "files 0, 1 and 2 were read");
    assert!(report.run.as_deref().unwrap().starts_with("Run #"));
    let heard = heard.borrow();
    assert_eq!(heard[0], (0, 16, "Reading the files".to_owned()));
    assert_eq!(heard[1].0, 0);
    assert_eq!(heard[1].1, 16);
    assert!(heard[1].2.ends_with("aks-cluster.json"));
    assert_eq!(store.current_evidence_files(a.id).unwrap().len(), 3);
    assert!(store.latest_run(a.id).unwrap().is_some());
}

#[test]
fn the_inline_worker_answers_within_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let a = assessment(&mut Store::open(&db).unwrap());
    let mut worker = Worker::new(WorkerMode::Inline, db.clone(), Settings::default());
    // The drafts file beside the record is read first (it is empty).
    assert!(matches!(
        &worker.poll()[..],
        [Event::Drafts(Reply::Drafts(Ok(drafts)))] if drafts.is_empty()
    ));
    worker.submit(Task::Directory);
    assert!(worker.has_pending_tasks() && worker.has_queued_events());
    let events = worker.poll();
    assert!(matches!(
        &events[..],
        [Event::Task(Reply::Directory { assessments, .. })] if assessments.len() == 1
    ));
    assert!(!worker.has_pending_tasks());
    let (job, _) = worker.start(Job::Export {
        assessment: a.id,
        format: ExportFormat::Html,
        out: dir.path().join("r.html"),
    });
    let events = worker.poll();
    assert!(
        events.iter().any(|e| matches!(e, Event::Progress { .. })),
        "the export reports progress"
    );
    match events.last() {
        Some(Event::Finished {
            job: id,
            reply: Reply::Exported(Ok(message)),
        }) => {
            assert_eq!(*id, job);
            assert!(message.starts_with("Exported HTML report"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("id=\"req-1.3.7\""));
    // A task on a missing assessment fails with a message, not a panic.
    worker.submit(Task::Load { assessment: 999 });
    assert!(matches!(
        &worker.poll()[..],
        [Event::Task(Reply::Failed { message, .. })] if message.contains("999")
    ));
}

#[cfg(unix)]
#[test]
fn attaching_a_fifo_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let fifo = dir.path().join("pipe.pdf");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut store = Store::open(&db).unwrap();
        let a = assessment(&mut store);
        let task = Task::Attach {
            actor: Actor::os_user_only(),
            assessment: a.id,
            requirement: "1.1.2".into(),
            path: fifo,
        };
        send.send(tasks::run(&mut store, task).map(|_| ())).ok();
    });
    let answer = receive
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("attaching a FIFO blocks the record thread");
    let message = answer.expect_err("a FIFO is not attached");
    assert!(message.contains("not a regular file"), "{message}");
}
