from dlquiz.cli import main

main()
