import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throw-away certificate authority, made fresh for one simulator, and the
/// certificate it signed for the loopback addresses (`127.0.0.1`, `::1`,
/// `localhost`). A client told to trust ``caPEM`` (Argo's `http.ca_file`)
/// verifies the simulator as it verifies a real vendor; nothing else trusts it,
/// and its keys never leave the process.
public struct SimulatorTLS: Sendable {
    /// The authority's certificate, PEM: what a client is told to trust.
    public let caPEM: String
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey

    /// A new authority and server certificate, valid from an hour ago for a week.
    public static func throwAway() throws -> SimulatorTLS {
        let now = Date()
        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let caName = try DistinguishedName {
            OrganizationName("Argo simulator")
            CommonName("Argo simulator throw-away CA")
        }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 7 * 86_400, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: caKey)
        let serverKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let server = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: serverKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 7 * 86_400, issuer: caName,
            subject: try DistinguishedName { CommonName("localhost") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
                ])
            },
            issuerPrivateKey: caKey)
        return SimulatorTLS(
            caPEM: try ca.serializeAsPEM().pemString,
            chain: [try NIOSSLCertificate(bytes: Self.der(server), format: .der)],
            key: try NIOSSLPrivateKey(bytes: Array(try serverKey.serializeAsPEM().pemString.utf8), format: .pem))
    }

    private static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// The server side of a handshake, offering `protocols` by ALPN in order of preference.
    func serverContext(protocols: [String]) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.applicationProtocols = protocols
        return try NIOSSLContext(configuration: configuration)
    }

    /// Writes ``caPEM`` to `path` (readable by its owner only), for a client's `http.ca_file`.
    public func writeCA(to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(caPEM.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
