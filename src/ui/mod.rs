//! The desktop app (eframe/egui): the requirement-by-requirement review workbench.
