//! bind_transmitter, bind_receiver, bind_transceiver (smpp.md §4) and outbind.

use super::{check_c_str, put_c_str, AddrFields, Address, EncodeError};
use crate::CommandId;
use hongyan_wire::{DecodeError, Reader, Writer};
use std::fmt;

/// system_id: max 16.
pub(crate) const SYSTEM_ID: usize = 16;
/// password: max 9.
const PASSWORD: usize = 9;
/// system_type: max 13.
const SYSTEM_TYPE: usize = 13;
/// address_range: max 41.
const ADDRESS_RANGE: usize = 41;
/// addr_ton, addr_npi, address_range.
const RANGE: AddrFields = AddrFields { ton: "addr_ton", npi: "addr_npi", addr: "address_range" };

/// Which of the three binds: it decides what the session may send and receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindMode {
    /// bind_transmitter: the ESME submits; the SMSC delivers nothing.
    Transmitter,
    /// bind_receiver: the SMSC delivers; the ESME submits nothing.
    Receiver,
    /// bind_transceiver: both ways on one link.
    Transceiver,
}

impl BindMode {
    /// The bind request's command_id.
    pub fn command_id(self) -> CommandId {
        match self {
            Self::Transmitter => CommandId::BIND_TRANSMITTER,
            Self::Receiver => CommandId::BIND_RECEIVER,
            Self::Transceiver => CommandId::BIND_TRANSCEIVER,
        }
    }

    /// The mode of a bind request or response command_id.
    pub fn from_command_id(id: CommandId) -> Option<Self> {
        match CommandId(id.0 & !0x8000_0000) {
            CommandId::BIND_TRANSMITTER => Some(Self::Transmitter),
            CommandId::BIND_RECEIVER => Some(Self::Receiver),
            CommandId::BIND_TRANSCEIVER => Some(Self::Transceiver),
            _ => None,
        }
    }

    /// True when the ESME may send submit_sm, submit_multi, data_sm, query_sm, cancel_sm
    /// and replace_sm.
    pub fn can_transmit(self) -> bool {
        matches!(self, Self::Transmitter | Self::Transceiver)
    }

    /// True when the SMSC may send deliver_sm, data_sm and alert_notification.
    pub fn can_receive(self) -> bool {
        matches!(self, Self::Receiver | Self::Transceiver)
    }
}

impl fmt::Display for BindMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Transmitter => "transmitter",
            Self::Receiver => "receiver",
            Self::Transceiver => "transceiver",
        })
    }
}

/// A bind request body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bind {
    /// Which bind (carried by the command_id, not the body).
    pub mode: BindMode,
    /// system_id (max 16): the ESME's account.
    pub system_id: Vec<u8>,
    /// password (max 9).
    pub password: Vec<u8>,
    /// system_type (max 13): often empty.
    pub system_type: Vec<u8>,
    /// interface_version: 0x34 for 3.4; 0x33 or less is 3.3 (no TLVs may be sent to it).
    pub interface_version: u8,
    /// addr_ton, addr_npi, address_range (max 41): the addresses a receiver serves.
    pub address_range: Address,
}

impl Bind {
    /// interface_version of SMPP 3.4.
    pub const INTERFACE_VERSION_34: u8 = 0x34;

    /// A 3.4 bind with an empty system_type and address_range.
    pub fn new(mode: BindMode, system_id: impl Into<Vec<u8>>, password: impl Into<Vec<u8>>) -> Self {
        Self {
            mode,
            system_id: system_id.into(),
            password: password.into(),
            system_type: Vec::new(),
            interface_version: Self::INTERFACE_VERSION_34,
            address_range: Address::default(),
        }
    }

    /// Checks every field fits, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("system_id", &self.system_id, SYSTEM_ID)?;
        check_c_str("password", &self.password, PASSWORD)?;
        check_c_str("system_type", &self.system_type, SYSTEM_TYPE)?;
        self.address_range.check(RANGE, ADDRESS_RANGE)
    }

    /// Reads the body of a `mode` bind.
    pub(crate) fn decode(r: &mut Reader<'_>, mode: BindMode) -> Result<Self, DecodeError> {
        Ok(Self {
            mode,
            system_id: r.c_str("system_id", SYSTEM_ID)?,
            password: r.c_str("password", PASSWORD)?,
            system_type: r.c_str("system_type", SYSTEM_TYPE)?,
            interface_version: r.u8("interface_version")?,
            address_range: Address::decode(r, RANGE, ADDRESS_RANGE)?,
        })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.system_id, SYSTEM_ID);
        put_c_str(w, &self.password, PASSWORD);
        put_c_str(w, &self.system_type, SYSTEM_TYPE);
        w.u8(self.interface_version);
        self.address_range.encode(w, ADDRESS_RANGE);
    }
}

/// outbind: the SMSC, having connected to the ESME, asks it to bind as a receiver.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Outbind {
    /// system_id (max 16): the SMSC's identity.
    pub system_id: Vec<u8>,
    /// password (max 9): lets the ESME check the SMSC.
    pub password: Vec<u8>,
}

impl Outbind {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("system_id", &self.system_id, SYSTEM_ID)?;
        check_c_str("password", &self.password, PASSWORD)
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { system_id: r.c_str("system_id", SYSTEM_ID)?, password: r.c_str("password", PASSWORD)? })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.system_id, SYSTEM_ID);
        put_c_str(w, &self.password, PASSWORD);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, with_len};
    use crate::{CommandStatus, Frame, FrameDecodeError, Npi, Pdu, Ton};

    fn sample(mode: BindMode) -> Bind {
        Bind::new(mode, "hongyan", "secret")
    }

    #[test]
    fn fixtures_for_each_mode() {
        for (mode, id) in [(BindMode::Receiver, 1u8), (BindMode::Transmitter, 2), (BindMode::Transceiver, 9)] {
            let bytes = hex(&format!(
                "00000024 000000{id:02x} 00000000 00000001
                 686f6e6779616e00 73656372657400 00 34 00 00 00"
            ));
            let frame = Frame::new(1, Pdu::Bind(sample(mode)));
            assert_eq!(Frame::decode(&bytes).unwrap(), frame);
            assert_eq!(frame.encode(), bytes);
            assert_exact(&bytes, false);
        }
    }

    #[test]
    fn full_fields_round_trip_at_their_maximum() {
        let bind = Bind {
            mode: BindMode::Transceiver,
            system_id: vec![b's'; 15],
            password: vec![b'p'; 8],
            system_type: vec![b't'; 12],
            interface_version: 0x33,
            address_range: Address::new(Ton::INTERNATIONAL, Npi::ISDN, vec![b'8'; 40]),
        };
        assert_eq!(bind.validate(), Ok(()));
        round_trip(Frame::new(7, Pdu::Bind(bind)), 16 + 16 + 9 + 13 + 3 + 41);
    }

    #[test]
    fn over_long_or_unterminated_strings_are_errors() {
        // system_id of 16 bytes with no NUL inside the 16-byte maximum.
        let long =
            with_len(&hex("00000000 00000002 00000000 00000001 41414141414141414141414141414141 00 00 00 34 000000"));
        let err = Frame::decode(&long).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Body { source: DecodeError::Invalid { field: "system_id", .. }, .. }));
        assert_eq!(err.status(), Some(CommandStatus::ESME_RINVSYSID));
        // The body ends inside password: no terminator at all.
        let cut = with_len(&hex("00000000 00000002 00000000 00000001 6100 7365"));
        let err = Frame::decode(&cut).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Body { source: DecodeError::Truncated { field: "password", .. }, .. }));
        assert!(Bind { password: vec![b'p'; 9], ..sample(BindMode::Receiver) }.validate().is_err());
    }

    #[test]
    fn outbind_fixture() {
        let bytes = hex("0000001c 0000000b 00000000 00000003 736d736300 70617373776400");
        let outbind = Outbind { system_id: b"smsc".to_vec(), password: b"passwd".to_vec() };
        let frame = Frame::new(3, Pdu::Outbind(outbind.clone()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, false);
        assert!(Outbind { password: vec![b'x'; 9], ..outbind }.validate().is_err());
    }

    #[test]
    fn modes() {
        assert_eq!(BindMode::from_command_id(CommandId::BIND_RECEIVER_RESP), Some(BindMode::Receiver));
        assert_eq!(BindMode::from_command_id(CommandId::SUBMIT_SM), None);
        assert!(BindMode::Transceiver.can_transmit() && BindMode::Transceiver.can_receive());
        assert!(!BindMode::Receiver.can_transmit() && !BindMode::Transmitter.can_receive());
        assert_eq!(BindMode::Transmitter.to_string(), "transmitter");
    }
}
