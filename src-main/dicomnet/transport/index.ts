export { listen, connect, callerAddress, sessionInfo, probeTls, takeChunks, READ_BUFFER_SIZE, type ListenOptions, type ConnectOptions, type ConnectResult, type Listening, type TlsSessionInfo } from './transport';
export { serverOptions, clientOptions, BCP195_TLS12_CIPHERS, TLS13_CIPHERS, type TlsConfig } from './tls-policy';
export { TransportError, classifyTransportError, explainIncomingTlsFailure, looksLikeTlsRecord, textInsteadOfPdu, type CertificateSummary, type IncomingTlsFailure, type TransportStep, type StepTimings } from './errors';
