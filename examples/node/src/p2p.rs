//! The peer-to-peer stack: TCP, noise, yamux; gossipsub for what goes to
//! every process or to a group, and a one-shot request-response protocol
//! for what goes to one process (catch-up).

use std::io;
use std::time::Duration;

use libp2p::futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity, ValidationMode};
use libp2p::identity::Keypair;
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::NetworkBehaviour;
use libp2p::{StreamProtocol, Swarm, noise, tcp, yamux};

use crate::error::NodeError;

/// The largest gossip message (a block with a large payload still fits;
/// dfn-psp refuses payloads above 8 MiB anyway).
pub const MAX_GOSSIP: usize = 4 << 20;
/// The largest direct message (a catch-up response of a full batch).
pub const MAX_DIRECT: u64 = 16 << 20;
/// The direct-message protocol.
pub const DIRECT_PROTOCOL: StreamProtocol = StreamProtocol::new("/dfn/direct/1");

/// The node's behaviours.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// Broadcast and group messages.
    pub gossip: gossipsub::Behaviour,
    /// Messages to one process.
    pub direct: request_response::Behaviour<DirectCodec>,
}

/// Direct messages: the request is one encoded `PspMessage`, read to the
/// end of the stream (bounded by [`MAX_DIRECT`]); the response is an empty
/// acknowledgement (the answer to a catch-up request is a request of its
/// own, sent when the state machine produces it).
#[derive(Clone, Copy, Debug, Default)]
pub struct DirectCodec;

impl request_response::Codec for DirectCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = ();

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        let mut bytes = Vec::new();
        io.take(MAX_DIRECT + 1).read_to_end(&mut bytes).await?;
        if bytes.len() as u64 > MAX_DIRECT {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "direct message too large",
            ));
        }
        Ok(bytes)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<()>
    where
        T: AsyncRead + Unpin + Send,
    {
        // Nothing is expected: read (and drop) at most a byte to see the end.
        let mut rest = Vec::new();
        io.take(1).read_to_end(&mut rest).await?;
        Ok(())
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&request).await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, _: &mut T, _: ()) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        Ok(())
    }
}

/// The topic of messages to every process of chain `tag`.
pub fn broadcast_topic(tag: &str) -> IdentTopic {
    IdentTopic::new(format!("dfn/{tag}/all"))
}

/// The topic of messages to the members of group `group` of chain `tag`.
pub fn group_topic(tag: &str, group: u64) -> IdentTopic {
    IdentTopic::new(format!("dfn/{tag}/group/{group}"))
}

/// Builds the swarm: TCP with noise and yamux, gossipsub with signed
/// messages (the author's peer id is authenticated, so a message's source
/// names the process that made it), the direct protocol.
pub fn build_swarm(keypair: Keypair) -> Result<Swarm<Behaviour>, NodeError> {
    let gossip_config = gossipsub::ConfigBuilder::default()
        .heartbeat_interval(Duration::from_millis(500))
        .max_transmit_size(MAX_GOSSIP)
        .validation_mode(ValidationMode::Strict)
        .build()
        .map_err(|e| NodeError::Network(format!("gossipsub config: {e}")))?;
    let swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| NodeError::Network(format!("transport: {e}")))?
        .with_behaviour(|key| {
            let gossip =
                gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), gossip_config)?;
            let direct = request_response::Behaviour::new(
                [(DIRECT_PROTOCOL, ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(10)),
            );
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(Behaviour { gossip, direct })
        })
        .map_err(|e| NodeError::Network(format!("behaviour: {e}")))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3_600)))
        .build();
    Ok(swarm)
}
