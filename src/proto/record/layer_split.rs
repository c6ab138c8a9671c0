//! Splitting a [`RecordLayer`] into its two directions, for a full-duplex
//! stream whose halves run on two tasks: the read half keeps the read
//! direction, the write half takes the write direction, and neither needs
//! the other's state (TLS protects each direction with its own key, nonce
//! and sequence number). Joining them again restores the whole layer.

use super::RecordLayer;
use crate::error::Error;

/// One direction of a record layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Opening the peer's records.
    Read,
    /// Sealing our own records.
    Write,
}

impl RecordLayer {
    /// Moves the write direction (its AEAD state and sequence number, the
    /// fragment size, the plaintext record version and any test key limit)
    /// into a new record layer, which cannot open records. From now on this
    /// layer refuses to seal, even in plaintext: a record sealed here would
    /// reuse a nonce, or leak plaintext, so [`seal`](Self::seal) fails with
    /// an internal error instead.
    pub fn split_write(&mut self) -> RecordLayer {
        let write = RecordLayer {
            read: None,
            write: self.write.take(),
            max_fragment: self.max_fragment,
            plain_version: self.plain_version,
            test_key_limit: self.test_key_limit,
            detached: Some(Direction::Read),
        };
        self.detached = Some(Direction::Write);
        write
    }

    /// Puts back the write direction taken by [`split_write`](Self::split_write).
    pub fn join_write(&mut self, write: RecordLayer) {
        self.write = write.write;
        self.max_fragment = write.max_fragment;
        self.test_key_limit = write.test_key_limit;
        self.detached = None;
    }

    /// Which direction this layer gave away, if any.
    pub fn detached(&self) -> Option<Direction> {
        self.detached
    }

    pub(super) fn check_attached(&self, dir: Direction) -> Result<(), Error> {
        if self.detached == Some(dir) {
            return Err(Error::internal(match dir {
                Direction::Read => "the read direction belongs to the other half",
                Direction::Write => "the write direction belongs to the other half",
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::crypto::suites::TLS13_AES_128_GCM_SHA256;
    use crate::proto::record::codec::RecordCodec;
    use crate::proto::wire::enums::ContentType;
    use bytes::BytesMut;
    use tokio_util::codec::Decoder;

    #[test]
    fn split_directions_refuse_the_other_and_rejoin() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let (key, iv) = ([7u8; 16], [9u8; 12]);
        let mut ours = RecordLayer::new();
        ours.set_write_key(suite, &key, &iv).unwrap();
        ours.set_read_key(suite, &key, &iv).unwrap();
        let mut peer = RecordLayer::new();
        peer.set_read_key(suite, &key, &iv).unwrap();

        let mut out = BytesMut::new();
        ours.seal(ContentType::ApplicationData, b"one", &mut out)
            .unwrap();
        let mut writer = ours.split_write();
        // The reader seals nothing, not even a plaintext record.
        let before = out.len();
        assert!(ours.seal(ContentType::Alert, &[2, 10], &mut out).is_err());
        assert_eq!(out.len(), before);
        // The writer continues the same sequence and opens nothing.
        writer
            .seal(ContentType::ApplicationData, b"two", &mut out)
            .unwrap();
        assert_eq!(writer.write_seq(), 2);
        let mut codec = RecordCodec::default();
        let first = codec.decode(&mut out).unwrap().unwrap();
        let second = codec.decode(&mut out).unwrap().unwrap();
        assert!(writer.open(first.clone()).is_err());
        assert_eq!(&peer.open(first).unwrap().payload[..], b"one");
        assert_eq!(&peer.open(second).unwrap().payload[..], b"two");

        ours.join_write(writer);
        assert_eq!(ours.write_seq(), 2);
        assert!(ours.detached().is_none());
        ours.seal(ContentType::ApplicationData, b"three", &mut out)
            .unwrap();
    }
}
