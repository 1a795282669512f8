//! The review record: a SQLite file with assessments, evidence, results, reviews, attachments, sign-offs and a hash-chained event log.
