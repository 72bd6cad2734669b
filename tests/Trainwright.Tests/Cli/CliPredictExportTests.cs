using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Trainwright.Data;
using Trainwright.Inference;
using static TorchSharp.torch;

namespace Trainwright.Tests.Cli;

/// <summary>
/// A trained run's model file through the command: <c>predict</c> names the classes the model file gives in-process,
/// and <c>export --onnx</c> writes a model ONNX Runtime runs to the same outputs.
/// </summary>
public sealed class CliPredictExportTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Train_writes_a_model_file_that_predict_and_export_serve_with_the_same_outputs()
    {
        using var ws = new CliWorkspace();
        var run = ws.Run("train", "--max-items", "600", "--epochs", "1", "--no-progress", "--out", "run");
        Assert.True(run.ExitCode == 0, run.ToString());
        var modelFile = Path.Combine(ws.Root, "run", "model.trainwright");
        Assert.True(File.Exists(modelFile), run.ToString());
        var testImages = Path.Combine(CliProcess.RepoRoot, "data", "mnist", "t10k-images-idx3-ubyte.gz");

        // predict, as CSV: one row per item, the class and probability the model file gives in-process (in forwards of 7).
        var predicted = ws.Run("predict", "--model", "run", testImages, "--max-items", "20", "--format", "csv", "--top", "2", "--bs", "7", "--workers", "1");
        Assert.True(predicted.ExitCode == 0, predicted.ToString());
        var lines = predicted.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("item,predicted,probability,top1,top1_probability,top2,top2_probability,error", lines[0]);
        Assert.Equal(21, lines.Length);
        using var items = IdxReader.Read(testImages).ToTensor().slice(0, 0, 20, 1).to_type(ScalarType.Float32).div_(255f).reshape(20, 784);
        using var predictor = Predictor.Load(modelFile);
        var expected = predictor.PredictBatch(items);
        for (int i = 0; i < 20; i++)
        {
            var cells = lines[i + 1].Split(',');
            Assert.Equal(expected[i].Label, cells[1]);
            Assert.Equal(expected[i].Probability, float.Parse(cells[2], CultureInfo.InvariantCulture), 5e-6f); // 5 decimal places, as a tolerance: rounding both sides fails at a boundary for values 6e-8 apart
        }

        // export: ONNX Runtime on raw [0, 1] pixels gives the predictor's outputs (normalisation is in the graph).
        var exported = ws.Run("export", "--model", "run", "--onnx", "served/model.onnx");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        using var session = new InferenceSession(Path.Combine(ws.Root, "served", "model.onnx"));
        var input = new DenseTensor<float>(items.data<float>().ToArray(), [20, 784]);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var onnx = outputs.Single(r => r.Name == "output").AsEnumerable<float>().ToArray();
        var torchOutputs = predictor.Outputs(items);
        for (int i = 0; i < 20; i++)
            for (int c = 0; c < 10; c++)
                Assert.InRange(Math.Abs(torchOutputs[i][c] - onnx[i * 10 + c]), 0, Tolerance);

        // A target that is not a regular file (a FIFO here; /dev/null alike) is refused, not replaced by the rename.
        if (!OperatingSystem.IsWindows())
        {
            var fifo = ws.PathOf("pipe.onnx");
            using (var mk = System.Diagnostics.Process.Start("mkfifo", [fifo])) mk.WaitForExit();
            var refused = ws.Run("export", "--model", "run", "--onnx", fifo);
            Assert.Equal(1, refused.ExitCode);
            Assert.Equal($"error: --onnx '{fifo}' is a FIFO (named pipe), not a regular file; give a file name, e.g. --onnx model.onnx.", refused.Stderr.Trim());
            Assert.Equal("a FIFO (named pipe)", RegularFile.WhatElse(fifo));
        }
    }

    [Fact]
    public void Predict_and_export_refuse_bad_input_with_one_line()
    {
        using var ws = new CliWorkspace();
        var missing = ws.Run("predict", "--model", "nowhere", "x");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: --model 'nowhere' does not exist; give a run folder (runs/<time>) or a model.trainwright file.", missing.Stderr.Trim());
        var noWorkers = ws.Run("predict", "--model", "nowhere", "x", "--workers", "0");
        Assert.Equal(1, noWorkers.ExitCode);
        Assert.Contains("error: --workers must be at least 1; got 0", noWorkers.Stderr, StringComparison.Ordinal);

        Directory.CreateDirectory(ws.PathOf("empty-run"));
        var noModel = ws.Run("export", "--model", "empty-run", "--onnx", "m.onnx");
        Assert.Equal(1, noModel.ExitCode);
        Assert.Contains("holds no model.trainwright", noModel.Stderr, StringComparison.Ordinal);
        Assert.Single(noModel.Stderr.Trim().Split('\n'));

        File.WriteAllText(ws.PathOf("fake.trainwright"), "not a model");
        var damaged = ws.Run("predict", "--model", "fake.trainwright", ws.PathOf("fake.trainwright"));
        Assert.Equal(1, damaged.ExitCode);
        Assert.Single(damaged.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(ws.PathOf("m.onnx")));
    }
}
