//! Attachments as pictures and as files: thumbnails of image attachments
//! (decoded off the UI thread), and opening any attachment with the
//! system's viewer.

use std::collections::HashMap;
use std::path::PathBuf;

use egui::{ColorImage, TextureHandle, TextureOptions};

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIZE: u32 = 320;

/// Decodes a PNG or JPEG and scales it down to a thumbnail.
pub fn decode(bytes: &[u8]) -> Result<ColorImage, String> {
    let image = image::load_from_memory(bytes).map_err(|e| format!("not a readable image: {e}"))?;
    let thumbnail = image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).to_rgba8();
    let size = [thumbnail.width() as usize, thumbnail.height() as usize];
    Ok(ColorImage::from_rgba_unmultiplied(
        size,
        thumbnail.as_flat_samples().as_slice(),
    ))
}

/// Writes an attachment to a file in the user's own cache folder and asks
/// the system to open it (`xdg-open` on Linux, `open` on macOS, `start` on
/// Windows). Not the shared temporary folder: there another user could
/// plant a symbolic link under the predictable name and have the
/// reviewer's write land in a file of theirs choosing.
pub fn open_with_system(attachment: i64, file_name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let dir = directories::ProjectDirs::from("", "", "Tickmark")
        .map(|dirs| dirs.cache_dir().join("attachments"))
        .ok_or("no cache folder for this user (is HOME set?)")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{attachment}-{}", safe_file_name(file_name)));
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut command = opener(&path);
    command.spawn().map_err(|e| {
        format!(
            "cannot start the system viewer ({e}); the file is at {}",
            path.display()
        )
    })?;
    Ok(path)
}

fn opener(path: &std::path::Path) -> std::process::Command {
    if cfg!(target_os = "macos") {
        let mut command = std::process::Command::new("open");
        command.arg(path);
        command
    } else if cfg!(target_os = "windows") {
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]).arg(path);
        command
    } else {
        let mut command = std::process::Command::new("xdg-open");
        command.arg(path);
        command
    }
}

/// A file name of letters, digits, spaces, `-`, `_` and `.` only: no path
/// separators, and nothing a shell reads (Windows' `cmd /C start` would run
/// the part of `a&calc.pdf` after the `&`).
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.trim_matches('.').is_empty() {
        "attachment".to_owned()
    } else {
        cleaned
    }
}

/// Whether an attachment's media type is one the thumbnailer reads.
pub fn is_thumbnailable(media_type: &str) -> bool {
    matches!(media_type, "image/png" | "image/jpeg")
}

/// Thumbnails by SHA-256: requested once, kept as textures.
#[derive(Default)]
pub struct Thumbnails {
    entries: HashMap<String, ThumbnailState>,
}

/// Where a thumbnail is.
pub enum ThumbnailState {
    /// Asked the worker.
    Loading,
    /// Ready to paint.
    Ready(TextureHandle),
    /// Could not be made.
    Failed(String),
}

impl Thumbnails {
    /// The thumbnail of `sha256`; `true` in the second place when it still
    /// has to be requested.
    pub fn get(&mut self, sha256: &str) -> (Option<&ThumbnailState>, bool) {
        if self.entries.contains_key(sha256) {
            (self.entries.get(sha256), false)
        } else {
            self.entries
                .insert(sha256.to_owned(), ThumbnailState::Loading);
            (self.entries.get(sha256), true)
        }
    }

    /// Stores a decoded image as a texture.
    pub fn set(&mut self, ctx: &egui::Context, sha256: String, result: Result<ColorImage, String>) {
        let state = match result {
            Ok(image) => ThumbnailState::Ready(ctx.load_texture(
                format!("thumbnail-{sha256}"),
                image,
                TextureOptions::LINEAR,
            )),
            Err(message) => ThumbnailState::Failed(message),
        };
        self.entries.insert(sha256, state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_are_small_and_bad_images_are_errors() {
        let png = crate::sample::file("sample-data/attachments/network-diagram.png").unwrap();
        let image = decode(png.bytes).unwrap();
        assert!(image.size[0] <= THUMBNAIL_SIZE as usize);
        assert!(image.size[1] <= THUMBNAIL_SIZE as usize);
        assert!(image.size[0] > 0 && image.size[1] > 0);
        assert!(decode(b"\x89PNG\r\n\x1a\nbroken").is_err());
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("../a/b.png"), ".._a_b.png");
        assert_eq!(safe_file_name(".."), "attachment");
        assert_eq!(safe_file_name("diagram 1.png"), "diagram 1.png");
        assert_eq!(safe_file_name("a&calc^%x%!.pdf"), "a_calc__x__.pdf");
        assert_eq!(safe_file_name("Netzplan-ü_2.pdf"), "Netzplan-ü_2.pdf");
    }
}
