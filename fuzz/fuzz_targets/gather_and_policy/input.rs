//! Reading the fuzzer's text input: numbers, header blocks, header lines.

pub(super) const INT_MAX: u32 = i32::MAX as u32;

pub(super) fn numbers(line: &[u8]) -> Vec<u32> {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.iter().filter(|b| b.is_ascii_digit()).fold(0u32, |v, &d| {
                v.wrapping_mul(10).wrapping_add(u32::from(d - b'0'))
            })
        })
        .collect()
}

/// Splits a block of lines into (name, body) pairs, bodies as sub-slices of
/// the input (continuation lines included, as the OpenSIPS parser leaves them).
pub(super) fn headers(block: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out: Vec<(&[u8], usize, usize)> = Vec::new();
    let mut pos = 0;
    while pos < block.len() {
        let end = block[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(block.len(), |i| pos + i);
        let line = &block[pos..end];
        let line_end = if line.last() == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if let Some(last) = out.last_mut() {
                last.2 = line_end; // folded continuation
            }
        } else if let Some(colon) = line.iter().position(|&b| b == b':') {
            out.push((&line[..colon], pos + colon + 1, line_end));
        } else if !line.is_empty() {
            out.push((line, line_end, line_end)); // a name without a body
        }
        pos = end + 1;
    }
    out.into_iter().map(|(n, s, e)| (n, &block[s..e])).collect()
}

pub(super) fn blocks(rest: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < rest.len() {
        // a blank line: "\n\n" or "\n\r\n"
        let blank = if rest[i..].starts_with(b"\n\n") {
            Some(2)
        } else if rest[i..].starts_with(b"\n\r\n") {
            Some(3)
        } else {
            None
        };
        if let Some(n) = blank {
            out.push(&rest[start..i + 1]);
            i += n;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&rest[start..]);
    out
}
