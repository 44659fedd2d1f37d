namespace FocusLab.Optim.Tests.State;

/// <summary>
/// <see cref="OptimizerStateFile.Save(Optimizer, string)"/> writes a temporary file and renames it, so a
/// save that fails midway leaves the previous file intact and loadable, and no temporary file behind.
/// </summary>
public sealed class AtomicSaveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("focuslab-optim-state-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Passes writes to a real file until <paramref name="budget"/> bytes are written, then fails as a full disk would.</summary>
    private sealed class FailingStream(Stream inner, long budget) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int allowed = (int)Math.Min(buffer.Length, Math.Max(0, budget - _written));
            inner.Write(buffer[..allowed]);
            _written += allowed;
            if (allowed < buffer.Length) throw new IOException("No space left on device (simulated).");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private static (Optimizer, TestModel) Model(int steps)
    {
        // ~100 KB of state, so the copy into the file takes more than one write.
        var model = new TestModel(3, [("w", [100, 125], 0), ("b", [17], 0)]);
        var opt = OptimizerFactory.Create("adamw", model.Groups());
        model.Run(opt, 0, steps);
        return (opt, model);
    }

    private string[] Leftovers(string path) => Directory.GetFiles(_dir).Where(f => f != path).ToArray();

    [Fact]
    public void A_save_failing_midway_keeps_the_previous_file()
    {
        string path = Path.Combine(_dir, "optim.state");
        var (opt, model) = Model(2);
        OptimizerStateFile.Save(opt, path);
        var previous = File.ReadAllBytes(path);

        model.Run(opt, 2, 4);
        FailingStream? stream = null;
        var e = Assert.Throws<IOException>(() => OptimizerStateFile.Save(opt, path,
            tmp => stream = new FailingStream(new FileStream(tmp, FileMode.Create, FileAccess.Write), budget: previous.Length / 2)));
        Assert.Contains("simulated", e.Message);
        Assert.Equal(previous.Length / 2, stream!.Length); // the failure came midway, after half the file was written
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Empty(Leftovers(path));

        // The surviving file is the step-2 state and loads.
        var (fresh, _) = Model(0);
        OptimizerStateFile.Load(fresh, path);
        Assert.Equal(2, fresh.StepCount);
    }

    [Fact]
    public void A_save_whose_temporary_file_cannot_be_created_keeps_the_previous_file()
    {
        string path = Path.Combine(_dir, "blocked.state");
        var (opt, _) = Model(1);
        OptimizerStateFile.Save(opt, path);
        var previous = File.ReadAllBytes(path);
        // A directory where the temporary file would go makes its creation fail.
        Directory.CreateDirectory(path + ".tmp-" + Environment.ProcessId);
        var e = Record.Exception(() => OptimizerStateFile.Save(opt, path));
        Assert.True(e is IOException or UnauthorizedAccessException, $"unexpected {e?.GetType().Name}: {e?.Message}");
        Assert.Equal(previous, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_successful_save_replaces_the_file_and_round_trips()
    {
        string path = Path.Combine(_dir, "ok.state");
        var (opt, _) = Model(1);
        OptimizerStateFile.Save(opt, path);
        var (later, _) = Model(3);
        OptimizerStateFile.Save(later, path);
        var (fresh, _) = Model(0);
        OptimizerStateFile.Load(fresh, path);
        Assert.Equal(3, fresh.StepCount);
        Assert.Empty(Leftovers(path));
    }
}
