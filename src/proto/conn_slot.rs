//! The heap home of a connection's handshake state.

use crate::error::Error;

/// A handshake state on the heap, in the same allocation from the first
/// message to the last. States are typed and consume themselves, so a step
/// moves the state out ([`Slot::take`]) and its successor back in
/// ([`Slot::put`]). Boxing every successor anew cost an allocation and a
/// free per handshake message; a TLS 1.3 client state is about 1.2 KB,
/// which glibc serves from its sorted bins, the slow path of `malloc`
/// (DHAT over 305 full TLS 1.3 handshakes: 1,220 such client boxes, four
/// per handshake, besides the first).
///
/// The slot is empty only between `take` and `put`, while the connection
/// holds `State::Failed` in its place (`Connection::handle_handshake` and
/// friends), so the readers' `None` arm is for completeness.
pub(super) struct Slot<T>(Box<Option<T>>);

impl<T> Slot<T> {
    pub(super) fn new(state: T) -> Self {
        Slot(Box::new(Some(state)))
    }

    /// The state, for questions about it.
    pub(super) fn get(&self) -> Option<&T> {
        self.0.as_ref().as_ref()
    }

    /// The state, for a step that consumes it; the slot stays empty until
    /// [`Slot::put`].
    pub(super) fn take(&mut self) -> Result<T, Error> {
        self.0
            .take()
            .ok_or_else(|| Error::internal("handshake state taken twice"))
    }

    /// The slot, holding `state` (the step's successor).
    pub(super) fn put(mut self, state: T) -> Self {
        *self.0 = Some(state);
        self
    }
}
