namespace FocusLab.Cli.Tests;

public class StudyOptionValidationTests
{
    [Theory]
    [InlineData("in 2..8", "sharpness", "--model", "gpt", "--gauss-newton-batch", "9")]
    [InlineData("Unknown --moments 'recent'", "sharpness", "--model", "mlp", "--moments", "recent")]
    [InlineData("--window only applies with --moments window", "sharpness", "--model", "mlp", "--window", "5")]
    [InlineData("Unknown --schedule 'linear'", "rotation", "--network", "mlp", "--schedule", "linear")]
    [InlineData("Clip norm -1 must be 0 (off) or positive", "rotation", "--network", "mlp", "--clip", "-1")]
    [InlineData("at least two --lr-factors", "rotation", "--network", "mlp", "--lr-factors", "1")]
    [InlineData("Unknown preset 'huge'", "rotation", "--network", "gpt", "--preset", "huge")]
    [InlineData("--gauss-newton-batch must be 0 (off)", "sharpness", "--model", "mlp", "--gauss-newton-batch", "-1")]
    [InlineData("in 2..512", "sharpness", "--model", "mlp", "--preset", "quick", "--gauss-newton-batch", "600")]
    [InlineData("--lr-factors", "rotation", "--network", "mlp", "--lrs", "-3:0:4")]
    [InlineData("distinct positive", "rotation", "--network", "mlp", "--lr-factors", "0,1")]
    [InlineData("not a comma-separated list", "rotation", "--network", "mlp", "--lr-factors", "fast")]
    [InlineData("Unknown loss version 'skewed'", "geometry-study", "--network", "mlp", "--losses", "original,skewed", "--out", "/tmp/focuslab-never")]
    [InlineData("Unknown optimizer 'lion' in --optimizers", "geometry-study", "--network", "gpt", "--optimizers", "sgd,lion", "--out", "/tmp/focuslab-never")]
    [InlineData("Unknown network 'cnn'", "geometry-study", "--network", "cnn", "--out", "/tmp/focuslab-never")]
    [InlineData("Unknown preset 'huge'", "geometry-study", "--network", "mlp", "--preset", "huge", "--out", "/tmp/focuslab-never")]
    [InlineData("at least two --lr-factors", "geometry-study", "--network", "mlp", "--lr-factors", "1", "--out", "/tmp/focuslab-never")]
    [InlineData("'fast' is not a positive number", "batch-sweep", "--out", "/tmp/focuslab-never", "--lrs", "1e-3,fast")]
    [InlineData("'1' is not a batch size ≥ 2", "batch-sweep", "--out", "/tmp/focuslab-never", "--batches", "1,2")]
    [InlineData("the upper bound must exceed the lower", "batch-sweep", "--out", "/tmp/focuslab-never", "--lrs", "1:1e-4:5")]
    [InlineData("unknown sgd", "batch-sweep", "--out", "/tmp/focuslab-never", "--optimizers", "adamw,sgd")]
    [InlineData("the sweep has no optimizer 'lion'", "batch-sweep", "--out", "/tmp/focuslab-never", "--only", "optimizer=lion,batch=8,lr_index=0,replicate=0")]
    [InlineData("--lr-extensions must be ≥ 0", "batch-sweep", "--out", "/tmp/focuslab-never", "--lr-extensions", "-1")]
    [InlineData("'0' is not a batch size ≥ 1", "lm-noise", "--out", "/tmp/focuslab-never", "--batches", "0,4")]
    [InlineData("--shard '3/2' must be i/N", "lm-race", "--out", "/tmp/focuslab-never", "--shard", "3/2")]
    [InlineData("--optimizers: unknown adam; choose from adamw,signum,focus,s3,lion,muon,schedulefree_adamw,sophia,adam_mini.", "lm-race", "--out", "/tmp/focuslab-never", "--preset", "full", "--optimizers", "muon,adam")]
    public void Invalid_study_options_are_refused_before_any_work(string message, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists("/tmp/focuslab-never"), "bad input must be refused before the output folder is made");
    }
}
