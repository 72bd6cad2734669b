using Trainwright.DistributedHost;

// Started by the distributed tests and benchmark, alone or under mpirun:
//   train        --out DIR [--batch 32] [--train-items 2048] [--valid-items 1000] [--epochs 2] [--lr 0.1] [--mom 0.9] [--shard-valid true]
//   collectives  --out DIR
//   allreduce    --out DIR [--sizes-mb 1,4,16] [--reps 20]
// Each process writes its results under DIR/rank<r>/. Exit code 0 on success.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Trainwright.DistributedHost train|collectives|allreduce --out DIR [options]");
    return 2;
}
var options = Options.Parse(args.Skip(1));
// Two processes share two cores here: one intra-op thread each keeps them from fighting over the cores.
TorchSharp.torch.set_num_threads(options.Int("threads", 1));
return args[0] switch
{
    "train" => TrainRun.Run(options),
    "collectives" => Collectives.Run(options),
    "allreduce" => AllReduceTiming.Run(options),
    _ => Fail($"unknown mode '{args[0]}'"),
};

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
