//! Text renderings used by `get_file_info`.

use std::fs::Metadata;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};

/// `ls -l`-style mode, e.g. `-rw-r--r--` / `drwxr-xr-x` (symbolic rather than octal,
/// because that is what `ls` shows users and what the SDK passes through verbatim).
pub fn file_mode_string(meta: &Metadata) -> String {
    let ft = meta.file_type();
    let kind = if ft.is_dir() {
        'd'
    } else if ft.is_symlink() {
        'l'
    } else if ft.is_fifo() {
        'p'
    } else if ft.is_socket() {
        's'
    } else if ft.is_char_device() {
        'c'
    } else if ft.is_block_device() {
        'b'
    } else {
        '-'
    };
    let m = meta.permissions().mode();
    let mut s = String::with_capacity(10);
    s.push(kind);
    for (shift, special, special_char) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (m >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        s.push(match (m & special != 0, x) {
            (true, true) => special_char,
            (true, false) => special_char.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}
