/**
 * `crypto/`: the public surface. AES-GCM ESP sealing and opening (RFC 4106) with Docker's SA
 * conventions, outbound sequence/IV counters, the RFC 4303 anti-replay window, and memberlist's
 * gossip keyring (AES-GCM packets and streams).
 */
export {
  DOCKER_ESP_ICV_LEN,
  DOCKER_ESP_KEY_LEN,
  dockerSa,
  ESP_GCM_AAD_LEN,
  ESP_GCM_CIPHERTEXT_OFFSET,
  ESP_GCM_ICV_LENGTHS,
  ESP_GCM_IV_LEN,
  ESP_GCM_IV_OFFSET,
  ESP_GCM_KEY_LENGTHS,
  ESP_GCM_NONCE_LEN,
  ESP_GCM_SALT_LEN,
  EspGcmSa,
  EspInboundSa,
  EspOutboundSa,
  openEsp,
  sealedLen,
  sealEsp,
  SEQUENCE_EXHAUSTED,
  SequenceExhaustedError,
  type EspGcmIcvLength,
  type EspGcmSaParams,
  type EspOpened,
  type EspOutboundOptions,
} from './esp-gcm.js';
export {
  REPLAY_WINDOW_DEFAULT,
  REPLAY_WINDOW_DISABLED,
  REPLAY_WINDOW_MAX,
  REPLAY_WINDOW_RFC_MIN,
  ReplayWindow,
  type ReplayVerdict,
} from './replay-window.js';
export { MemberlistKeyring } from './memberlist-keyring.js';
export { dockerSpi, ipsecKeyOrder, PeerSas, type IpsecKey, type SaChange } from './docker-ipsec.js';
