from anxin.cli import main

main()
