from popup import create_app

app = create_app()
