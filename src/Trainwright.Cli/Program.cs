Console.WriteLine("trainwright");
