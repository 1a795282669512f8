//! Exports of the review record: CSV, JSON, HTML, OSCAL assessment-results and an evidence bundle.
