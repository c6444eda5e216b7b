//! Source positions: byte offsets to line/column, and generated-JS positions back to the TSX.

/// 1-based line and 1-based UTF-16 column of a byte offset (clamped into the text).
pub(crate) fn line_column(text: &str, offset: u32) -> (u32, u32) {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].encode_utf16().count() + 1;
    (saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Mapping of the generated JavaScript back to the TSX it came from, built from oxc's source
/// map. Positions are 0-based inside, 1-based at the interface.
#[derive(Debug, Clone, Default)]
pub(crate) struct PositionMap {
    /// `(dst_line, dst_col, src_line, src_col)`, sorted by destination as the codegen emits them.
    tokens: Vec<(u32, u32, u32, u32)>,
}

impl PositionMap {
    pub(crate) fn new(mut tokens: Vec<(u32, u32, u32, u32)>) -> Self {
        tokens.sort_unstable();
        Self { tokens }
    }

    /// TSX position of a 1-based generated line/column: the closest mapped token at or before
    /// it on the same line, else the first token of that line.
    pub(crate) fn to_source(&self, line: u32, column: u32) -> Option<(u32, u32)> {
        let (line, column) = (line.checked_sub(1)?, column.saturating_sub(1));
        let first_on_line = self.tokens.partition_point(|t| t.0 < line);
        let after = self
            .tokens
            .partition_point(|t| (t.0, t.1) <= (line, column));
        let token = if after > first_on_line {
            self.tokens.get(after - 1)
        } else {
            self.tokens.get(first_on_line).filter(|t| t.0 == line)
        }?;
        Some((token.2 + 1, token.3 + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_to_line_column() {
        let text = "ab\ncdé\nx";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 7), (2, 4));
        assert_eq!(line_column(text, 8), (3, 1));
        assert_eq!(line_column(text, 100), (3, 2));
    }

    #[test]
    fn generated_to_source() {
        let map = PositionMap::new(vec![(0, 0, 4, 2), (0, 10, 4, 9), (2, 4, 7, 0)]);
        assert_eq!(map.to_source(1, 1), Some((5, 3)));
        assert_eq!(map.to_source(1, 12), Some((5, 10)));
        assert_eq!(map.to_source(3, 2), Some((8, 1)));
        assert_eq!(map.to_source(2, 1), None);
        assert_eq!(map.to_source(0, 1), None);
    }
}
