from citeshelf.cli.main import main

if __name__ == "__main__":  # pragma: no branch
    main()
