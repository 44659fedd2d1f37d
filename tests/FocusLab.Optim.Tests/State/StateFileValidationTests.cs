namespace FocusLab.Optim.Tests.State;

/// <summary>
/// Loading refuses corrupt, truncated and mismatched state with an <see cref="InvalidDataException"/>
/// that says what is wrong, and a refused load leaves the optimizer exactly as it was.
/// </summary>
public sealed class StateFileValidationTests
{
    private static (Optimizer Opt, TestModel Model) Trained(string spec, (string, int[], int)[]? layout = null)
    {
        var model = new TestModel(9, layout ?? TestModel.SmallLayout);
        var opt = OptimizerFactory.Create(spec, model.Groups());
        model.Run(opt, 0, 3);
        return (opt, model);
    }

    private static byte[] Save(Optimizer opt)
    {
        var ms = new MemoryStream();
        opt.SaveState(ms);
        return ms.ToArray();
    }

    /// <summary>Loads <paramref name="file"/>, expects a refusal, and checks that state, step, hyperparameters and parameters are unchanged.</summary>
    private static InvalidDataException AssertRefusedWithoutChange(Optimizer target, TestModel model, byte[] file)
    {
        var stateBefore = Save(target);
        var paramsBefore = model.Values();
        var e = Assert.Throws<InvalidDataException>(() => target.LoadState(new MemoryStream(file)));
        Assert.Equal(stateBefore, Save(target));
        TestModel.AssertBitIdentical(paramsBefore, model.Values(), "parameters after a refused load");
        return e;
    }

    /// <summary>A target optimizer in a different state (other step count and moments) than the saved one, so a partial load would show.</summary>
    private static (Optimizer, TestModel) Target(string spec)
    {
        var model = new TestModel(77, TestModel.SmallLayout);
        var opt = OptimizerFactory.Create(spec, model.Groups());
        model.Run(opt, 0, 2);
        return (opt, model);
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("focus:decay=after")]
    [InlineData("nadam")]
    public void A_flipped_byte_anywhere_is_detected(string spec)
    {
        var file = Save(Trained(spec).Opt);
        var (target, model) = Target(spec);
        foreach (int at in new[] { 0, 7, 8, 13, 20, file.Length / 3, file.Length / 2, file.Length - 5, file.Length - 1 })
        {
            var bad = (byte[])file.Clone();
            bad[at] ^= 0x10;
            var e = AssertRefusedWithoutChange(target, model, bad);
            Assert.True(e.Message.Contains("corrupt") || e.Message.Contains("magic") || e.Message.Contains("version"), $"byte {at}: {e.Message}");
        }
    }

    [Fact]
    public void A_truncated_file_is_detected_at_every_length()
    {
        var file = Save(Trained("lion").Opt);
        var (target, model) = Target("lion");
        foreach (int length in new[] { 0, 1, 5, 8, 12, 15, 16, 17, 40, file.Length / 2, file.Length - 4, file.Length - 1 })
        {
            var e = AssertRefusedWithoutChange(target, model, file[..length]);
            Assert.True(e.Message.Contains("truncated") || e.Message.Contains("empty"), $"length {length}: {e.Message}");
        }
    }

    [Fact]
    public void Another_optimizers_file_is_refused_naming_both_ids()
    {
        var file = Save(Trained("signum").Opt);
        var (target, model) = Target("lion");
        var e = AssertRefusedWithoutChange(target, model, file);
        Assert.Contains("'signum'", e.Message);
        Assert.Contains("'lion'", e.Message);
    }

    [Fact]
    public void A_renamed_parameter_is_refused_naming_both_names()
    {
        var file = Save(Trained("adam").Opt);
        var renamed = new (string, int[], int)[] { ("w", [6, 40], 0), ("bias", [33], 1), ("k", [3, 4, 5], 0) };
        var model = new TestModel(5, renamed);
        var target = OptimizerFactory.Create("adam", model.Groups());
        var e = AssertRefusedWithoutChange(target, model, file);
        Assert.Contains("'b'", e.Message);
        Assert.Contains("'bias'", e.Message);
        Assert.Contains("not in the model", e.Message);
    }

    [Fact]
    public void A_parameter_with_another_shape_is_refused_naming_both_shapes()
    {
        var file = Save(Trained("s3").Opt);
        var reshaped = new (string, int[], int)[] { ("w", [40, 6], 0), ("b", [33], 1), ("k", [3, 4, 5], 0) };
        var model = new TestModel(5, reshaped);
        var target = OptimizerFactory.Create("s3", model.Groups());
        var e = AssertRefusedWithoutChange(target, model, file);
        Assert.Contains("'w'", e.Message);
        Assert.Contains("[6, 40]", e.Message);
        Assert.Contains("[40, 6]", e.Message);
    }

    /// <summary>
    /// A file with a valid checksum but an out-of-range hyperparameter (lr = −1, patched in and re-signed)
    /// must be refused before anything is applied, not half-loaded.
    /// </summary>
    [Fact]
    public void An_invalid_hyperparameter_in_a_well_formed_file_is_refused_before_anything_changes()
    {
        var (source, _) = Trained("adamw:lr=0.375");
        var file = Save(source);
        // The record is the BinaryWriter string "lr" (length byte 2) followed by the float64 value.
        byte[] pattern = [2, (byte)'l', (byte)'r', .. BitConverter.GetBytes(0.375)];
        int at = file.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0);
        BitConverter.GetBytes(-1.0).CopyTo(file, at + 3);
        BitConverter.GetBytes(Crc32.Compute(file.AsSpan(0, file.Length - 4))).CopyTo(file, file.Length - 4);

        var (target, model) = Target("adamw:lr=0.375");
        var e = AssertRefusedWithoutChange(target, model, file);
        Assert.Contains("lr", e.Message);
        Assert.Contains("≥ 0", e.Message);
    }

    [Fact]
    public void Loading_a_missing_file_names_the_path()
    {
        var (opt, _) = Target("adamw");
        string path = Path.Combine(Path.GetTempPath(), $"focuslab-missing-{Guid.NewGuid():N}.bin");
        var e = Assert.Throws<FileNotFoundException>(() => OptimizerStateFile.Load(opt, path));
        Assert.Contains(path, e.Message);
    }
}
