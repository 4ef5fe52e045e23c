using System.Net;

namespace Orleans.Raft.Silo;

/// <summary>The silo's configuration is unusable; the message says why, and the silo exits with code 2.</summary>
public sealed class SiloConfigurationException(string message) : Exception(message);
