using System.Text;
using Orleans.Raft.Bench;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The bodies 'bench etcd' sends to etcd 3.4's JSON gRPC gateway, and what it reads from the answers.</summary>
public sealed class EtcdJsonTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static string Text(byte[] json) => Encoding.UTF8.GetString(json);

    [Fact]
    public void A_put_carries_the_key_and_value_in_base64()
    {
        Assert.Equal($$"""{"key":"{{B64("k1")}}","value":"{{B64("hello")}}"}""", Text(EtcdJson.Put("k1", "hello")));
    }

    [Fact]
    public void A_range_is_linearizable_unless_serializable_is_asked_for()
    {
        Assert.Equal($$"""{"key":"{{B64("k1")}}"}""", Text(EtcdJson.Range("k1", serializable: false)));
        Assert.Equal($$"""{"key":"{{B64("k1")}}","serializable":true}""", Text(EtcdJson.Range("k1", serializable: true)));
    }

    [Fact]
    public void A_compare_and_set_compares_the_value_puts_on_success_and_reads_the_key_on_failure()
    {
        var key = B64("k");
        // Single quotes for readability; JSON has double ones.
        var expected = (
            $"{{'compare':[{{'key':'{key}','target':'VALUE','result':'EQUAL','value':'{B64("old")}'}}]," +
            $"'success':[{{'request_put':{{'key':'{key}','value':'{B64("new")}'}}}}]," +
            $"'failure':[{{'request_range':{{'key':'{key}'}}}}]}}").Replace('\'', '"');
        Assert.Equal(expected, Text(EtcdJson.CompareAndSet("k", "old", "new")));
    }

    [Fact]
    public void A_compare_and_set_from_no_value_compares_the_create_revision_with_zero()
    {
        var json = Text(EtcdJson.CompareAndSet("k", null, "new"));
        Assert.StartsWith($$"""{"compare":[{"key":"{{B64("k")}}","target":"CREATE","result":"EQUAL","create_revision":"0"}],"success":""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_answer_gives_the_first_value_or_null_when_no_key_matched()
    {
        var found = $$"""{"header":{"member_id":"1","raft_term":"2"},"kvs":[{"key":"{{B64("k")}}","mod_revision":"5","value":"{{B64("v1")}}"}],"count":"1"}""";
        Assert.Equal("v1", EtcdJson.ReadRange(Encoding.UTF8.GetBytes(found)));
        Assert.Null(EtcdJson.ReadRange("""{"header":{"member_id":"1","raft_term":"2"}}"""u8));
        // An empty value is left out of the answer, as every field at its default.
        Assert.Equal("", EtcdJson.ReadRange(Encoding.UTF8.GetBytes($$"""{"kvs":[{"key":"{{B64("k")}}"}],"count":"1"}""")));
    }

    [Fact]
    public void A_transaction_answer_tells_whether_the_compare_held_and_else_the_value_found()
    {
        Assert.Equal((true, (string?)null), EtcdJson.ReadTxn("""{"header":{},"succeeded":true,"responses":[{"response_put":{"header":{}}}]}"""u8));
        var failed = $$$"""{"header":{},"responses":[{"response_range":{"header":{},"kvs":[{"key":"{{{B64("k")}}}","value":"{{{B64("other")}}}"}],"count":"1"}}]}""";
        Assert.Equal((false, "other"), EtcdJson.ReadTxn(Encoding.UTF8.GetBytes(failed)));
        Assert.Equal((false, (string?)null), EtcdJson.ReadTxn("""{"header":{},"responses":[{"response_range":{"header":{}}}]}"""u8));
    }

    [Fact]
    public void The_header_gives_the_answering_member_and_its_term_from_json_strings()
    {
        Assert.Equal(("13668033151171901709", 7L),
            EtcdJson.ReadHeader("""{"header":{"cluster_id":"1","member_id":"13668033151171901709","revision":"3","raft_term":"7"}}"""u8));
    }

    [Fact]
    public void A_status_answer_gives_the_member_the_leader_and_the_indexes_and_leader_zero_is_none()
    {
        var status = EtcdJson.ReadStatus("""{"header":{"member_id":"42","raft_term":"3"},"version":"3.4.23","leader":"42","raftIndex":"8","raftTerm":"3","raftAppliedIndex":"7"}"""u8);
        Assert.Equal(new EtcdStatus("42", "42", 3, 8, 7), status);
        Assert.Null(EtcdJson.ReadStatus("""{"header":{"member_id":"42"},"leader":"0","raftTerm":"4"}"""u8).Leader);
        Assert.Null(EtcdJson.ReadStatus("""{"header":{"member_id":"42"},"raftTerm":"4"}"""u8).Leader);
    }

    [Fact]
    public void An_error_answer_gives_its_error_field_or_its_text()
    {
        Assert.Equal("etcdserver: key is not provided", EtcdJson.ReadError("""{"error":"etcdserver: key is not provided","message":"etcdserver: key is not provided","code":3}"""u8));
        Assert.Equal("upstream connect error", EtcdJson.ReadError("upstream connect error\n"u8));
    }
}
