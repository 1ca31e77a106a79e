//! Parquet files whose footer is kept on disk while they grow. parquet-rs's
//! file writer keeps the metadata of every row group written (a few hundred
//! bytes per column chunk, in many small allocations) until the file is
//! closed, so a run's memory grew with the corpus: about 4 MiB of peak
//! per million articles. Here each row group goes through a writer of its own, which
//! computes its metadata; that metadata is moved to where the group sits in
//! the file, serialized, and appended to a scratch file, and the footer is
//! assembled from the scratch file at the end.
//!
//! The thrift walking is by hand: parquet-rs keeps its thrift code private,
//! and the footer only needs the byte range of one list inside it.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::arrow::arrow_writer::ArrowColumnChunk;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::{FileMetaData, ParquetMetaData, ParquetMetaDataWriter, RowGroupMetaData};
use parquet::file::properties::WriterPropertiesPtr;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::TypePtr;

const MAGIC: &[u8; 4] = b"PAR1";

/// Bytes of scratch-file buffer; the scratch file is written once per row group.
const SCRATCH_BUFFER_BYTES: usize = 64 << 10;

/// Thrift `FileMetaData` fields: the number of rows, and the row groups.
const NUM_ROWS_FIELD: i16 = 3;
const ROW_GROUPS_FIELD: i16 = 4;

/// A Parquet file written row group by row group, holding no metadata of
/// the row groups already written.
pub(super) struct StreamedFile<W: Write + Send> {
    out: W,
    /// Bytes written to `out`.
    position: u64,
    root_schema: TypePtr,
    properties: WriterPropertiesPtr,
    /// The file's metadata without row groups: schema, key-values (the
    /// Arrow schema), writer version.
    file_metadata: FileMetaData,
    /// Just what a row group's serialization needs (the schema): each
    /// group is serialized inside a whole `FileMetaData`, and the Arrow
    /// schema among the key-values is a few kilobytes.
    group_file_metadata: FileMetaData,
    scratch: BufWriter<File>,
    scratch_path: PathBuf,
    scratch_bytes: u64,
    row_groups: usize,
    rows: i64,
}

/// What a row group's own writer writes: the group's pages go on to the
/// file, its leading magic bytes and its footer nowhere.
struct GroupSink<'a, W: Write> {
    out: &'a mut W,
    magic_left: usize,
    passing: bool,
}

impl<W: Write> Write for GroupSink<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.passing {
            let skipped = self.magic_left.min(buf.len());
            self.magic_left -= skipped;
            self.out.write_all(&buf[skipped..])?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // The file is flushed once, when it is complete.
        Ok(())
    }
}

impl<W: Write + Send> StreamedFile<W> {
    /// Starts a file with the schema and properties of `template`, a writer
    /// that wrote nothing (parquet-rs's Arrow writer sets these up).
    /// `scratch_path` is created, and removed when the file is finished.
    pub fn new<T: Write + Send>(
        mut out: W,
        mut template: SerializedFileWriter<T>,
        scratch_path: &Path,
    ) -> Result<Self> {
        let root_schema = template.schema_descr().root_schema_ptr();
        let properties = Arc::clone(template.properties());
        let file_metadata = template.finish()?.file_metadata().clone();
        let group_file_metadata = FileMetaData::new(
            file_metadata.version(),
            0,
            None,
            None,
            file_metadata.schema_descr_ptr(),
            None,
        );
        out.write_all(MAGIC)?;
        let scratch = BufWriter::with_capacity(SCRATCH_BUFFER_BYTES, File::create(scratch_path)?);
        Ok(StreamedFile {
            out,
            position: MAGIC.len() as u64,
            root_schema,
            properties,
            file_metadata,
            group_file_metadata,
            scratch,
            scratch_path: scratch_path.to_path_buf(),
            scratch_bytes: 0,
            row_groups: 0,
            rows: 0,
        })
    }

    /// Writes a row group, one encoded chunk per leaf column in schema order.
    pub fn append(&mut self, chunks: Vec<ArrowColumnChunk>) -> Result<()> {
        let start = self.position;
        let sink = GroupSink {
            out: &mut self.out,
            magic_left: MAGIC.len(),
            passing: true,
        };
        let mut group_file = SerializedFileWriter::new(sink, self.root_schema.clone(), Arc::clone(&self.properties))?;
        let mut group_writer = group_file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group_writer)?;
        }
        group_writer.close()?;
        let group_bytes = (group_file.bytes_written() - MAGIC.len()) as u64;
        // The group's writer buffers what it writes: all of the group must
        // be through before the sink stops passing bytes on.
        group_file.flush()?;
        group_file.inner_mut().passing = false;
        let group_metadata = group_file.finish()?;
        let [group] = group_metadata.row_groups() else {
            return Err(ParquetError::General(
                "a row group's writer made other than one row group".into(),
            ));
        };
        // The group's writer counted from the start of its own file, with
        // the group right after the magic bytes; here the group starts at
        // `start`.
        let group = moved(group, start as i64 - MAGIC.len() as i64, self.row_groups)?;
        self.rows += group.num_rows();
        self.position += group_bytes;
        let serialized = serialize(&self.group_file_metadata, vec![group])?;
        let range = row_groups_list(&serialized)?;
        let group_bytes = &serialized[range.items];
        self.scratch.write_all(group_bytes)?;
        self.scratch_bytes += group_bytes.len() as u64;
        self.row_groups += 1;
        Ok(())
    }

    /// Writes the footer and returns the file's writer, flushed.
    pub fn finish(mut self) -> Result<W> {
        let file_metadata = FileMetaData::new(
            self.file_metadata.version(),
            self.rows,
            self.file_metadata.created_by().map(str::to_owned),
            self.file_metadata.key_value_metadata().cloned(),
            self.file_metadata.schema_descr_ptr(),
            self.file_metadata.column_orders().cloned(),
        );
        // Parquet's metadata writer counts the rows of the row groups it is
        // given, none here: the count is put in by hand.
        let template = with_i64_field(&serialize(&file_metadata, Vec::new())?, NUM_ROWS_FIELD, self.rows)?;
        let list = row_groups_list(&template)?;
        let mut header = Vec::with_capacity(6);
        list_header(self.row_groups, STRUCT, &mut header);
        let footer_bytes = list.header.start as u64
            + header.len() as u64
            + self.scratch_bytes
            + (template.len() - list.header.end) as u64;
        let footer_bytes =
            u32::try_from(footer_bytes).map_err(|_| ParquetError::General("the footer would pass 4 GiB".into()))?;

        self.out.write_all(&template[..list.header.start])?;
        self.out.write_all(&header)?;
        // Flushed and closed before it is read back.
        self.scratch.into_inner().map_err(|e| e.into_error())?;
        let mut groups = BufReader::with_capacity(SCRATCH_BUFFER_BYTES, File::open(&self.scratch_path)?);
        let copied = std::io::copy(&mut groups, &mut self.out)?;
        if copied != self.scratch_bytes {
            return Err(ParquetError::General(format!(
                "row group metadata: read {copied} bytes back of {}",
                self.scratch_bytes
            )));
        }
        drop(groups);
        std::fs::remove_file(&self.scratch_path)?;
        self.out.write_all(&template[list.header.end..])?;
        self.out.write_all(&footer_bytes.to_le_bytes())?;
        self.out.write_all(MAGIC)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `group` as it is when it starts `shift` bytes further into the file, as
/// the file's row group number `ordinal`.
fn moved(group: &RowGroupMetaData, shift: i64, ordinal: usize) -> Result<RowGroupMetaData> {
    let shifted = |offset: Option<i64>| offset.map(|o| o + shift);
    let columns = group
        .columns()
        .iter()
        .map(|column| {
            if column.offset_index_offset().is_some()
                || column.column_index_offset().is_some()
                || column.bloom_filter_offset().is_some()
            {
                // These sit after all row groups; a group written alone
                // cannot know where.
                return Err(ParquetError::General(
                    "page indexes and bloom filters are not written by a streamed file".into(),
                ));
            }
            column
                .clone()
                .into_builder()
                .set_data_page_offset(column.data_page_offset() + shift)
                .set_dictionary_page_offset(shifted(column.dictionary_page_offset()))
                .set_index_page_offset(shifted(column.index_page_offset()))
                .build()
        })
        .collect::<Result<Vec<_>>>()?;
    // Parquet stores the ordinal only while it fits in 16 bits.
    let ordinal = i32::try_from(ordinal).unwrap_or(i32::MAX);
    let mut builder = group
        .clone()
        .into_builder()
        .set_column_metadata(columns)
        .set_ordinal(ordinal);
    if let Some(offset) = group.file_offset() {
        builder = builder.set_file_offset(offset + shift);
    }
    builder.build()
}

/// The thrift `FileMetaData` of `file_metadata` with `row_groups`.
fn serialize(file_metadata: &FileMetaData, row_groups: Vec<RowGroupMetaData>) -> Result<Vec<u8>> {
    let metadata = ParquetMetaData::new(file_metadata.clone(), row_groups);
    let mut bytes = Vec::new();
    ParquetMetaDataWriter::new(&mut bytes, &metadata).finish()?;
    // The writer adds the footer's length and the magic bytes.
    bytes.truncate(bytes.len() - 8);
    Ok(bytes)
}

/// Where the list of row groups sits in a serialized `FileMetaData`.
struct ListRange {
    /// The list's header (element count and type).
    header: std::ops::Range<usize>,
    /// The serialized elements.
    items: std::ops::Range<usize>,
}

fn row_groups_list(file_metadata: &[u8]) -> Result<ListRange> {
    let value = field_value(file_metadata, ROW_GROUPS_FIELD, LIST)?;
    let mut reader = CompactReader {
        bytes: file_metadata,
        at: value.start,
    };
    reader.list_header()?;
    Ok(ListRange {
        header: value.start..reader.at,
        items: reader.at..value.end,
    })
}

/// `file_metadata` with the value of its i64 field `field` set to `value`.
fn with_i64_field(file_metadata: &[u8], field: i16, value: i64) -> Result<Vec<u8>> {
    let old = field_value(file_metadata, field, I64)?;
    let mut patched = file_metadata[..old.start].to_vec();
    push_varint(((value << 1) ^ (value >> 63)) as u64, &mut patched);
    patched.extend_from_slice(&file_metadata[old.end..]);
    Ok(patched)
}

/// Where the value of the top-level field `field`, of type `kind`, lies in
/// the serialized struct `bytes`.
fn field_value(bytes: &[u8], field: i16, kind: u8) -> Result<std::ops::Range<usize>> {
    let mut reader = CompactReader { bytes, at: 0 };
    let mut last_field = 0;
    while let Some((id, id_kind)) = reader.field_header(&mut last_field)? {
        let start = reader.at;
        reader.skip(id_kind)?;
        if id == field && id_kind == kind {
            return Ok(start..reader.at);
        }
    }
    Err(ParquetError::General(format!(
        "serialized file metadata has no field {field}"
    )))
}

// Thrift compact protocol types.
const BOOLEAN_TRUE: u8 = 1;
const BOOLEAN_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// The header of a list of `count` elements of type `element`.
fn list_header(count: usize, element: u8, out: &mut Vec<u8>) {
    if count < 15 {
        out.push(((count as u8) << 4) | element);
    } else {
        out.push(0xF0 | element);
        push_varint(count as u64, out);
    }
}

fn push_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads just enough of the thrift compact protocol to step over values.
struct CompactReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl CompactReader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let byte = *self.bytes.get(self.at).ok_or_else(truncated)?;
        self.at += 1;
        Ok(byte)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ParquetError::General("thrift varint longer than 64 bits".into()))
    }

    fn advance(&mut self, bytes: u64) -> Result<()> {
        let end = usize::try_from(bytes)
            .ok()
            .and_then(|b| self.at.checked_add(b))
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(truncated)?;
        self.at = end;
        Ok(())
    }

    /// The next field's id and type, or `None` at the end of a struct.
    fn field_header(&mut self, last_field: &mut i16) -> Result<Option<(i16, u8)>> {
        let byte = self.byte()?;
        if byte == 0 {
            return Ok(None);
        }
        let delta = byte >> 4;
        let field = if delta == 0 {
            let zigzag = self.varint()?;
            ((zigzag >> 1) as i64 ^ -((zigzag & 1) as i64)) as i16
        } else {
            *last_field + i16::from(delta)
        };
        *last_field = field;
        Ok(Some((field, byte & 0x0F)))
    }

    fn list_header(&mut self) -> Result<(u64, u8)> {
        let byte = self.byte()?;
        let count = match byte >> 4 {
            15 => self.varint()?,
            short => u64::from(short),
        };
        Ok((count, byte & 0x0F))
    }

    fn skip(&mut self, kind: u8) -> Result<()> {
        match kind {
            // A boolean field carries its value in its type; a boolean in a
            // list or map is one byte (`skip_element`).
            BOOLEAN_TRUE | BOOLEAN_FALSE => Ok(()),
            BYTE => self.advance(1),
            I16 | I32 | I64 => self.varint().map(drop),
            DOUBLE => self.advance(8),
            BINARY => {
                let length = self.varint()?;
                self.advance(length)
            }
            LIST | SET => {
                let (count, element) = self.list_header()?;
                for _ in 0..count {
                    self.skip_element(element)?;
                }
                Ok(())
            }
            MAP => {
                let count = self.varint()?;
                if count > 0 {
                    let kinds = self.byte()?;
                    for _ in 0..count {
                        self.skip_element(kinds >> 4)?;
                        self.skip_element(kinds & 0x0F)?;
                    }
                }
                Ok(())
            }
            STRUCT => {
                let mut last_field = 0;
                while let Some((_, kind)) = self.field_header(&mut last_field)? {
                    self.skip(kind)?;
                }
                Ok(())
            }
            other => Err(ParquetError::General(format!("unknown thrift type {other}"))),
        }
    }

    fn skip_element(&mut self, kind: u8) -> Result<()> {
        match kind {
            BOOLEAN_TRUE | BOOLEAN_FALSE => self.advance(1),
            other => self.skip(other),
        }
    }
}

fn truncated() -> ParquetError {
    ParquetError::General("serialized file metadata ends early".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thrift struct, by hand: field 1 true, field 3 = 5 (i64), field 4 a
    /// list of two structs, field 20 binary "x" (a long field header), a
    /// map, then the end.
    const STRUCT_BYTES: &[u8] = &[
        0x11, // field 1 (delta 1), boolean true
        0x26, 0x0A, // field 3 (delta 2), i64 5 (zigzag 10)
        0x19, 0x2C, // field 4 (delta 1), list of 2 structs
        0x15, 0x02, 0x00, // { field 1: i32 1 }
        0x21, 0x00, // { field 2: true }
        0x08, 0x28, 0x01, b'x', // field 20 (long form, zigzag 40), binary "x"
        0x1B, 0x01, 0x56, 0x02, 0x04, // field 21, map of 1 (i32 keys, i64 values): 1 -> 2
        0x00,
    ];

    #[test]
    fn a_struct_is_stepped_over_to_its_end() {
        let mut reader = CompactReader {
            bytes: STRUCT_BYTES,
            at: 0,
        };
        reader.skip(STRUCT).unwrap();
        assert_eq!(reader.at, STRUCT_BYTES.len());
    }

    #[test]
    fn the_row_groups_list_is_found_among_other_fields() {
        let list = row_groups_list(STRUCT_BYTES).unwrap();
        assert_eq!(list.header, 4..5);
        assert_eq!(list.items, 5..10);
    }

    #[test]
    fn an_i64_field_is_replaced_and_the_rest_kept() {
        let patched = with_i64_field(STRUCT_BYTES, NUM_ROWS_FIELD, 1000).unwrap();
        // 1000 zigzags to 2000, two varint bytes.
        let mut expected = STRUCT_BYTES[..2].to_vec();
        expected.extend([0xD0, 0x0F]);
        expected.extend(&STRUCT_BYTES[3..]);
        assert_eq!(patched, expected);
        assert_eq!(row_groups_list(&patched).unwrap().items, 6..11);
    }

    #[test]
    fn list_headers_switch_to_the_long_form_at_fifteen() {
        let header = |count| {
            let mut out = Vec::new();
            list_header(count, STRUCT, &mut out);
            out
        };
        assert_eq!(header(0), [0x0C]);
        assert_eq!(header(14), [0xEC]);
        assert_eq!(header(15), [0xFC, 15]);
        assert_eq!(header(300), [0xFC, 0xAC, 0x02]);
        let mut reader = CompactReader {
            bytes: &header(300),
            at: 0,
        };
        assert_eq!(reader.list_header().unwrap(), (300, STRUCT));
    }

    #[test]
    fn truncated_metadata_is_an_error_not_a_panic() {
        for end in 0..STRUCT_BYTES.len() {
            let mut reader = CompactReader {
                bytes: &STRUCT_BYTES[..end],
                at: 0,
            };
            assert!(reader.skip(STRUCT).is_err(), "cut at {end}");
            if end < 10 {
                assert!(row_groups_list(&STRUCT_BYTES[..end]).is_err(), "cut at {end}");
            }
        }
        assert!(with_i64_field(&STRUCT_BYTES[..2], NUM_ROWS_FIELD, 1).is_err());
    }
}
