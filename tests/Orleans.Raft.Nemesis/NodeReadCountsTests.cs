namespace Orleans.Raft.Nemesis;

public sealed class NodeReadCountsTests
{
    [Fact]
    public void Reads_are_summed_by_path_over_groups_and_other_series_are_ignored()
    {
        // As a node's /metrics gives them (OpenTelemetry's Prometheus exporter).
        const string exposition = """
            # TYPE raft_reads_total counter
            raft_reads_total{otel_scope_name="Orleans.Raft",group="default-0",path="read_index"} 1095
            raft_reads_total{otel_scope_name="Orleans.Raft",group="default-1",path="read_index"} 5
            raft_reads_total{otel_scope_name="Orleans.Raft",group="default-1",path="lease"} 7 1733140000000
            raft_reads_totally{otel_scope_name="Orleans.Raft",path="log"} 3
            raft_proposals_committed_total{otel_scope_name="Orleans.Raft",group="default-0"} 99
            """;

        var counts = NodeReadCounts.Parse(exposition);

        Assert.Equal(new Dictionary<string, long> { ["read_index"] = 1100, ["lease"] = 7 }, counts);
    }
}
