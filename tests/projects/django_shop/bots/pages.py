from shop.paging import page_count, rows_page_count


async def pages(rows):
    return page_count(), rows_page_count(rows)  # error: ABR201@12
