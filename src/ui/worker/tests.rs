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
fn an_import_reports_progress_and_a_cancel_rolls_the_whole_import_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let a = assessment(&mut store);
    let before = store.verify().unwrap();
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
            confirmed: false,
        },
        &progress,
        &cancel,
    );
    let Reply::Imported(report) = report else {
        panic!("not an import report: {report:?}");
    };
    assert!(report.cancelled);
    assert_eq!(report.files.len(), 3, "files 0, 1 and 2 were read");
    assert!(report.run.is_none() && report.error.is_none());
    let heard = heard.borrow();
    assert_eq!(heard[1], (0, 16, "Reading the files".to_owned()));
    assert!(heard[2].2.ends_with("aks-cluster.json"));
    // Nothing of it stays: the same events, the same stored files.
    assert!(store.current_evidence_files(a.id).unwrap().is_empty());
    assert!(store.latest_run(a.id).unwrap().is_none());
    let after = store.verify().unwrap();
    assert!(after.is_intact());
    assert_eq!(
        (after.chain_head, after.counts),
        (before.chain_head, before.counts)
    );
}

#[test]
fn a_large_import_asks_before_it_reads_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let a = assessment(&mut store);
    let many = dir.path().join("many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..=evidence::Survey::CONFIRM_FILES {
        std::fs::write(many.join(format!("note-{i}.txt")), "a note").unwrap();
    }
    let job = |confirmed| Job::Import {
        actor: Actor::os_user_only(),
        assessment: a.id,
        paths: vec![many.clone()],
        confirmed,
    };
    let reply = jobs::run(
        &mut store,
        &shared(&db),
        job(false),
        &|_, _, _| {},
        &AtomicBool::new(false),
    );
    let Reply::ConfirmImport { survey, .. } = reply else {
        panic!("not asked: {reply:?}");
    };
    assert_eq!(survey.files, evidence::Survey::CONFIRM_FILES + 1);
    assert!(store.current_evidence_files(a.id).unwrap().is_empty());
    let reply = jobs::run(
        &mut store,
        &shared(&db),
        job(true),
        &|_, _, _| {},
        &AtomicBool::new(false),
    );
    assert!(matches!(reply, Reply::Imported(_)));
    assert_eq!(
        store.current_evidence_files(a.id).unwrap().len(),
        1,
        "the same bytes are one document"
    );
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

#[test]
fn a_record_that_cannot_be_opened_is_named_once_without_its_password() {
    let url = "postgresql://ann:secret@127.0.0.1:1/team?sslcert=/nonexistent/ann.pem&sslkey=/nonexistent/ann.key";
    let why = super::open_store(std::path::Path::new(url)).unwrap_err();
    assert!(!why.contains("secret"), "{why}");
    assert_eq!(why.matches("127.0.0.1:1/team").count(), 1, "{why}");
    assert!(
        why.starts_with("cannot open the review record postgresql://ann@127.0.0.1:1/team"),
        "{why}"
    );
    assert!(why.contains("/nonexistent/ann.pem"), "{why}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.sqlite3");
    std::fs::write(&file, "not a database, a shopping list").unwrap();
    let why = super::open_store(&file).unwrap_err();
    assert_eq!(why.matches("notes.sqlite3").count(), 1, "{why}");
    assert!(why.starts_with("cannot open the review record /"), "{why}");
}
