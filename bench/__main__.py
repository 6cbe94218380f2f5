from bench.seed import main

if __name__ == "__main__":
    main()
