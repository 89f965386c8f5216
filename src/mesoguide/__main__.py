from mesoguide.cli import main

main()
