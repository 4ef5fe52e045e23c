namespace Orleans.Raft.Client;

/// <summary>A TLS setting cannot be used: a missing file, a wrong password, no private key, an expired certificate...</summary>
public sealed class RaftTlsException(string message, Exception? innerException = null) : Exception(message, innerException);
